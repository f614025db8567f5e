using RaftOrleans.Status;

namespace RaftOrleans.Client.Status;

/// <summary>
/// Every node's status of one group read at (nearly) one moment, and what follows from them together: who leads and
/// the recent elections. Nodes answer independently, so the picture may straddle a change of leader.
/// </summary>
internal sealed record ClusterSnapshot(DateTimeOffset TakenAt, IReadOnlyList<NodeProbe> Nodes, string Group = "")
{
    /// <summary>How many past elections `status` shows.</summary>
    public const int ElectionsShown = 5;

    /// <summary>The role name a node grain reports while it leads.</summary>
    public const string LeaderRole = ClusterMembers.LeaderRole;

    /// <summary>
    /// The running node that says it leads. Should a deposed leader not have heard of its successor yet, two
    /// nodes say so; the higher term wins, as it does in Raft.
    /// </summary>
    public NodeStatus? Leader => Nodes
        .Where(node => node.IsRunning && node.Status!.Role == LeaderRole)
        .Select(node => node.Status!)
        .MaxBy(status => status.Term);

    /// <summary>The election that made <see cref="Leader"/> leader, if its node still remembers it.</summary>
    public ElectionSummary? LeaderElection => Leader is { } leader
        ? leader.ElectionsWon.LastOrDefault(election => election.Term == leader.Term)
        : null;

    /// <summary>
    /// The last few elections won, oldest first. Each node remembers only those it won, crashed nodes
    /// included (their memory of elections is not Raft state), so together they tell the history.
    /// </summary>
    public IReadOnlyList<ElectionSummary> RecentElections => Nodes
        .SelectMany(node => node.Status?.ElectionsWon ?? [])
        .DistinctBy(election => election.Term)
        .OrderBy(election => election.Term)
        .TakeLast(ElectionsShown)
        .ToArray();

    public NodeProbe? Node(int nodeId) => Nodes.FirstOrDefault(node => node.NodeId == nodeId);

    /// <summary>
    /// The newest configuration any running node holds (the leader's, when it is among the newest): the membership in
    /// force, or about to be. Null when no node answered.
    /// </summary>
    public NodeStatus? Configuration => ClusterMembers.Newest(Nodes.Where(node => node.IsRunning).Select(node => node.Status!));

    /// <summary>What <paramref name="nodeId"/> is in <see cref="Configuration"/>: "voter", "learner" or "removed" (null: unknown).</summary>
    public string? MembershipOf(int nodeId) => Configuration is { } config ? ClusterMembers.MembershipOf(config, nodeId) : null;
}
