using RaftOrleans.Client.Status;
using RaftOrleans.Raft;
using RaftOrleans.Status;

namespace RaftOrleans.Client.Commands;

/// <summary>
/// `member list | add NODE | promote NODE | remove NODE`: the cluster's membership, changed one node at a time. The
/// leader takes the change and answers once it is committed (or says why it refused it; nothing changed then).
/// Replacing a dead machine is: start the new node's silo, `member add N`, wait until `member list` shows it caught
/// up, `member promote N`, `member remove DEAD` (see the README).
/// </summary>
internal sealed class MemberCommand(MembershipChange? change) : IClientCommand
{
    public async Task<int> RunAsync(CommandContext context)
    {
        var snapshot = await context.ReadStatusAsync();
        if (change is null) return List(context, snapshot);

        // An election under way (a leader that just died, say) is waited out, as a refused change is asked again.
        var patience = context.Config.Gateway.RequestTimeout;
        var leader = snapshot.Leader;
        if (leader is null)
        {
            context.Error.WriteLine($"member: no node leads right now; waiting up to {patience.TotalMilliseconds:F0} ms for one");
            leader = await LeaderPolling.WaitForLeaderAsync(context, _ => true, patience);
        }
        if (leader is null)
        {
            context.Error.WriteLine($"member: no node led within {patience.TotalMilliseconds:F0} ms (see `client status`); nothing changed");
            return ExitCodes.Unavailable;
        }
        var result = await MembershipRequest.AskAsync(context, leader.NodeId, change);
        switch (result.Status)
        {
            case MembershipStatus.Committed:
                context.Out.WriteLine($"{change}: committed at log index {result.Index}; members now: {result.Config}");
                if (change.Kind == MembershipChangeKind.AddLearner)
                {
                    context.Out.WriteLine($"node {change.Node} catches up as a learner (its silo must run); promote it with " +
                                          $"`client member promote {change.Node}` once `client member list` shows it close to the leader");
                }
                return ExitCodes.Ok;
            case MembershipStatus.Refused:
                context.Error.WriteLine($"member: refused: {result.Reason}; nothing changed");
                return ExitCodes.Refused;
            case MembershipStatus.NotLeader:
                context.Error.WriteLine($"member: {result.Reason}; nothing changed (an election is under way: try again)");
                return ExitCodes.Unavailable;
            default:
                context.Error.WriteLine($"member: {result.Reason}");
                return ExitCodes.Unavailable;
        }
    }

    /// <summary>Every member with what the leader knows of it: how far its log matches, how far behind it is, when it last answered.</summary>
    private static int List(CommandContext context, ClusterSnapshot snapshot)
    {
        if (snapshot.Configuration is not { } config)
        {
            context.Error.WriteLine("member: no node answered (see `client status`)");
            return ExitCodes.Unavailable;
        }
        var leader = snapshot.Leader;
        var table = new TextTable("node", "member", "role", "match index", "behind leader", "last contact", "silo (pid)");
        foreach (var id in config.Voters.Concat(config.Learners).Order())
        {
            var status = snapshot.Node(id)?.Status;
            var follower = leader?.Followers.FirstOrDefault(f => f.NodeId == id);
            var (match, behind) = id == leader?.NodeId ? (leader.LastLogIndex, 0L)
                : follower is not null ? (follower.MatchIndex, FollowerStatus.Behind(leader!.LastLogIndex, follower.MatchIndex))
                : ((long?)null, (long?)null);
            table.Add(id, config.Voters.Contains(id) ? "voter" : "learner", status is { Crashed: false } ? status.Role : status is null ? "unreachable" : "crashed",
                match, behind,
                follower is null ? null : $"{follower.SinceLastContactMs:F0} ms ago",
                status?.ProcessId is { } pid ? $"{status.Silo} ({pid})" : null);
        }
        table.WriteTo(context.Out);
        context.Out.WriteLine($"configuration: {MembershipReport.From(config)}" + (leader is null ? "; no leader right now" : $"; leader node {leader.NodeId}"));
        return leader is null ? ExitCodes.Unavailable : ExitCodes.Ok;
    }
}
