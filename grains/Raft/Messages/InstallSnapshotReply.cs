using Orleans;

namespace RaftOrleans.Raft;

/// <summary>
/// InstallSnapshot RPC results (Figure 13), plus, for the last chunk, the index up to which the follower
/// now matches the leader (the snapshot's last index, or more if it already had more committed).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record InstallSnapshotReply : RaftMessage
{
    [Id(0)] public required bool Done { get; init; }
    [Id(1)] public required long MatchIndex { get; init; }
}
