using Orleans;

namespace RaftOrleans.Raft;

/// <summary>
/// The answer to a membership change. From the core: <see cref="MembershipStatus.Appended"/> (the new configuration is
/// in force from log index <see cref="Index"/>; the change is done once that entry commits), or why not. From a node
/// grain, which waits for the commit: <see cref="MembershipStatus.Committed"/>, or <see cref="MembershipStatus.Unknown"/>
/// when the leader lost its leadership first (the change may still take effect: look before trying again).
/// <see cref="Reason"/> says why a change did not happen; <see cref="LeaderHint"/> names the leader when this node is not it.
/// <see cref="TryAgain"/> marks a refusal that says nothing against the change, only that the leader cannot take one at
/// this moment (it was elected a moment before, the previous change is committing, a transfer is under way): the same
/// request is expected to succeed a moment later, so a client may ask again by itself.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record MembershipResult(
    [property: Id(0)] MembershipStatus Status,
    [property: Id(1)] long Index,
    [property: Id(2)] long Term,
    [property: Id(3)] ClusterConfig? Config,
    [property: Id(4)] string? Reason,
    [property: Id(5)] int? LeaderHint,
    [property: Id(6)] bool TryAgain = false)
{
    public bool Accepted => Status is MembershipStatus.Appended or MembershipStatus.Committed;

    public static MembershipResult Appended(long index, long term, ClusterConfig config) => new(MembershipStatus.Appended, index, term, config, null, null);
    public static MembershipResult Refused(string why) => new(MembershipStatus.Refused, 0, 0, null, why, null);

    /// <summary>Refused for the moment only (see <see cref="TryAgain"/>).</summary>
    public static MembershipResult Busy(string why) => new(MembershipStatus.Refused, 0, 0, null, why, null, TryAgain: true);

    public static MembershipResult NotLeader(int? leader) =>
        new(MembershipStatus.NotLeader, 0, 0, null, leader is { } id ? $"this node does not lead; node {id} does" : "this node does not lead, and knows no leader", leader);

    /// <summary>The appended change came out committed at its index and term.</summary>
    public MembershipResult AsCommitted() => this with { Status = MembershipStatus.Committed };

    /// <summary>The appended change's fate is not known here any more.</summary>
    public MembershipResult AsUnknown(string why) => this with { Status = MembershipStatus.Unknown, Reason = why };
}

public enum MembershipStatus
{
    Appended = 1,
    Committed = 2,
    Refused = 3,
    NotLeader = 4,
    Unknown = 5,
}
