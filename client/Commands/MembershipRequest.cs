using RaftOrleans.Raft;

namespace RaftOrleans.Client.Commands;

/// <summary>
/// One membership change asked of the leader, as `client member` and the check's membership nemesis ask it: the
/// leader answers once the change is committed, or at once with why not; one NotLeader hint is followed (a leader
/// elected meanwhile). A leader that says nothing within the request deadline leaves the outcome Unknown.
/// </summary>
internal static class MembershipRequest
{
    public static async Task<MembershipResult> AskAsync(CommandContext context, int leader, MembershipChange change)
    {
        var result = await AskNodeAsync(context, leader, change);
        return result is { Status: MembershipStatus.NotLeader, LeaderHint: { } hint } && hint != leader
            ? await AskNodeAsync(context, hint, change)
            : result;
    }

    private static async Task<MembershipResult> AskNodeAsync(CommandContext context, int node, MembershipChange change)
    {
        // The commit takes a few heartbeats, a request deadline at most when followers are slow.
        var deadline = context.Config.Gateway.RequestTimeout;
        try
        {
            return await context.Node(node).ChangeMembership(change).WaitAsync(deadline);
        }
        catch (TimeoutException)
        {
            return new MembershipResult(MembershipStatus.Unknown, 0, 0, null,
                $"node {node} did not say within {deadline.TotalMilliseconds:F0} ms whether the change committed; " +
                "it may still take effect: see `client member list`", null);
        }
    }
}
