using RaftOrleans.Raft;

namespace RaftOrleans.Client.Commands;

/// <summary>
/// One membership change asked of the leader, as `client member` and the check's membership nemesis ask it: the
/// leader answers once the change is committed, or at once with why not. A NotLeader hint is followed (a leader
/// elected meanwhile), and a refusal for the moment only (<see cref="MembershipResult.TryAgain"/>: a leader elected a
/// moment before, a previous change still committing) is asked again a little later, for up to the request deadline,
/// as an operator would, so a script does not fail on a leader's first milliseconds. A leader that says nothing within
/// the request deadline leaves the outcome Unknown.
/// </summary>
internal static class MembershipRequest
{
    public static Task<MembershipResult> AskAsync(CommandContext context, int leader, MembershipChange change) =>
        AskUntilSettledAsync(node => AskNodeAsync(context, node, change), leader,
            patience: context.Config.Gateway.RequestTimeout, pause: context.Config.Raft.HeartbeatInterval);

    /// <summary>
    /// Asks <paramref name="leader"/>, then whichever node a NotLeader answer names (the first such hint at once), and
    /// asks again after <paramref name="pause"/> while the answer is a refusal for the moment or NotLeader (an election
    /// under way), until <paramref name="patience"/> has passed; returns the first other answer, or the last one.
    /// </summary>
    internal static async Task<MembershipResult> AskUntilSettledAsync(Func<int, Task<MembershipResult>> ask, int leader, TimeSpan patience, TimeSpan pause)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var node = leader;
        var hintFollowed = false;
        while (true)
        {
            var result = await ask(node);
            if (!(result.TryAgain || result.Status == MembershipStatus.NotLeader) || clock.Elapsed + pause > patience) return result;
            var hint = result.LeaderHint is { } named && named != node ? named : (int?)null;
            // Two nodes with stale views could name each other: only the first hint is followed without a pause.
            var atOnce = hint is not null && !hintFollowed;
            hintFollowed |= hint is not null;
            node = hint ?? node;
            if (!atOnce) await Task.Delay(pause);
        }
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
