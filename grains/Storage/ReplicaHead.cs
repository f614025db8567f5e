using RaftOrleans.Raft;

namespace RaftOrleans.Storage;

/// <summary>A replica's latest hard state and snapshot marker in a log: what each new segment of a shared log repeats first.</summary>
internal readonly record struct ReplicaHead(HardState HardState, long SnapshotIndex, long SnapshotTerm)
{
    public static readonly ReplicaHead Initial = new(HardState.Initial, 0, 0);
}
