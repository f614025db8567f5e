using Orleans;

namespace RaftOrleans.Raft;

/// <summary>
/// The answer to a membership change. Appended: the new configuration is in force (it takes effect when appended)
/// from log index <see cref="Index"/>; the change is done once that entry commits. Otherwise <see cref="Refusal"/>
/// says why nothing changed, and <see cref="LeaderHint"/> names the leader when this node is not it.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record MembershipResult(
    [property: Id(0)] bool Accepted,
    [property: Id(1)] long Index,
    [property: Id(2)] long Term,
    [property: Id(3)] ClusterConfig? Config,
    [property: Id(4)] string? Refusal,
    [property: Id(5)] int? LeaderHint)
{
    public static MembershipResult Appended(long index, long term, ClusterConfig config) => new(true, index, term, config, null, null);
    public static MembershipResult Refused(string why) => new(false, 0, 0, null, why, null);
    public static MembershipResult NotLeader(int? leader) =>
        new(false, 0, 0, null, leader is { } id ? $"this node does not lead; node {id} does" : "this node does not lead, and knows no leader", leader);
}
