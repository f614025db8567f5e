namespace RaftOrleans.Status;

/// <summary>
/// Who is in the cluster, as the nodes' statuses tell it: the console's `status` and the silo's status page both ask
/// raft.toml's first configuration, then the members of the newest configuration any node holds.
/// </summary>
public static class ClusterMembers
{
    /// <summary>The status holding the newest configuration (the leader's on a tie), among nodes that run; null if none does.</summary>
    public static NodeStatus? Newest(IEnumerable<NodeStatus> running) => running
        .OrderByDescending(status => status.ConfigIndex)
        .ThenByDescending(status => status.Role == LeaderRole)
        .ThenByDescending(status => status.Term)
        .FirstOrDefault();

    /// <summary>The members of <paramref name="newest"/>'s configuration not among <paramref name="asked"/>, in order.</summary>
    public static IEnumerable<int> NotAsked(NodeStatus newest, IEnumerable<int> asked) =>
        newest.Voters.Concat(newest.Learners).Except(asked).Order();

    /// <summary>What <paramref name="node"/> is in <paramref name="newest"/>'s configuration: "voter", "learner" or "removed".</summary>
    public static string MembershipOf(NodeStatus newest, int node) =>
        newest.Voters.Contains(node) ? "voter" : newest.Learners.Contains(node) ? "learner" : "removed";

    /// <summary>The role name a node reports while it leads.</summary>
    public const string LeaderRole = "Leader";
}
