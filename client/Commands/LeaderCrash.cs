using RaftOrleans.Client.Status;
using RaftOrleans.Status;

namespace RaftOrleans.Client.Commands;

/// <summary>Crashing whoever leads, and waiting for the successor: shared by crash-leader, tasks and failover.</summary>
internal static class LeaderCrash
{
    /// <summary>With the default timings an election takes well under a second; this leaves room for split votes.</summary>
    public static readonly TimeSpan SuccessorTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Crashes the current leader and returns its last status, or null when no node leads.</summary>
    public static async Task<NodeStatus?> CrashLeaderAsync(CommandContext context)
    {
        var leader = (await context.ReadStatusAsync()).Leader;
        if (leader is null)
        {
            return null;
        }
        await context.Node(leader.NodeId).Crash();
        return leader;
    }

    /// <summary>The first leader of a term after <paramref name="crashed"/>'s, or null if none is elected in time.</summary>
    public static Task<NodeStatus?> WaitForSuccessorAsync(CommandContext context, NodeStatus crashed) =>
        LeaderPolling.WaitForLeaderAsync(context, leader => leader.Term > crashed.Term, SuccessorTimeout);

    /// <summary>"by the votes of nodes 4, 1, 5", from the election record of the leader's current term.</summary>
    public static string Votes(NodeStatus leader) =>
        leader.ElectionsWon.LastOrDefault(election => election.Term == leader.Term) is { Voters.Length: > 0 } election
            ? $" by the votes of nodes {string.Join(", ", election.Voters)}"
            : "";
}
