using RaftOrleans.Raft;

namespace RaftOrleans.Replica;

/// <summary>What one replica needs: its core's options and the shell's own knobs.</summary>
public sealed record ReplicaOptions
{
    public required RaftOptions Raft { get; init; }

    /// <summary>Applied entries after which the replica snapshots its state machine and compacts its log; null: never.</summary>
    public required int? SnapshotThreshold { get; init; }

    /// <summary>Entries kept in the log before the latest snapshot, for followers only a little behind.</summary>
    public required int SnapshotCatchUpEntries { get; init; }

    /// <summary>
    /// Most entries a leader keeps in memory before its latest snapshot for a follower that is being sent an older
    /// one (it goes on from the log after that snapshot's index). Bounds the memory a slow transfer can pin: about
    /// 150 bytes an entry for a put of a short key, so up to ~150 MB on a leader while it sends. A paced transfer
    /// (<see cref="SnapshotSendBytesPerSecond"/>) of a 6 M-key state takes over half a minute at 8 MB/s, hundreds of
    /// thousands of writes under load: with a smaller bound it would end in another transfer, and that in another.
    /// </summary>
    public int TransferTailEntries { get; init; } = DefaultTransferTailEntries;

    public const int DefaultTransferTailEntries = 1_000_000;

    /// <summary>Most bytes of one InstallSnapshot call: small enough to keep a call short, large enough for few calls.</summary>
    public int SnapshotChunkBytes { get; init; } = DefaultSnapshotChunkBytes;

    public const int DefaultSnapshotChunkBytes = 1024 * 1024;

    /// <summary>
    /// Most bytes per second a node streams to followers in snapshot chunks, all its transfers together (see
    /// <see cref="SnapshotPace"/>); 0: as fast as the follower answers.
    /// </summary>
    public long SnapshotSendBytesPerSecond { get; init; }

    /// <summary>
    /// Least time between two compactions the storage asks for (<see cref="IReplicaStorage.CompactionWanted"/>): each
    /// costs a sync of the state engine and of the snapshot file. The simulation sets 0, to have them at any moment.
    /// </summary>
    public TimeSpan AskedCompactionInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A deliberately broken replica that sends a batch's messages before its write is durable, whatever the
    /// batch. Only the simulation test that proves the checks can see it turns this on.
    /// </summary>
    internal bool PlantedBugSendBeforeDurable { get; init; }
}
