namespace RaftOrleans.Groups;

/// <summary>
/// One Raft group: a name, its replica count and the node ids of its first configuration (<see cref="Members"/>).
/// Node N of every group lives on the same silo (node N's, in cluster mode), so a group's replicas, being distinct
/// node ids, never share a silo. Membership changes may later add node ids outside <see cref="Members"/>.
/// </summary>
public sealed record RaftGroup(string Name, int Replicas, IReadOnlyList<int> Members)
{
    /// <summary>
    /// The node that should lead this group when it is healthy: the first of its members. Groups start at different
    /// nodes (<see cref="RaftGroups"/>), so preferring these spreads the leaders over the silos.
    /// </summary>
    public int PreferredLeader => Members[0];

    public override string ToString() => $"{Name} ({Replicas} replicas: nodes {string.Join(", ", Members)})";
}
