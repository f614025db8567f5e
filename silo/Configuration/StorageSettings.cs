namespace RaftOrleans.Configuration;

/// <summary>The [storage] section: where and how each node keeps its term, vote, log and snapshots.</summary>
public sealed record StorageSettings
{
    /// <summary>file (durable, the default) or memory (lost when the silo stops; for tests and experiments).</summary>
    public StorageKind Kind { get; init; } = StorageKind.File;

    /// <summary>Root directory of the file storage; node N of group G uses DataDir/G/node-N. Relative paths start at the working directory.</summary>
    public string DataDir { get; init; } = "data";

    /// <summary>Flush every write to the disk before the node answers (the safe default). Off trades safety for speed.</summary>
    public bool Fsync { get; init; } = true;

    /// <summary>Applied entries after which a node snapshots its state and deletes the log it covers.</summary>
    public int SnapshotThreshold { get; init; } = 10_000;

    /// <summary>
    /// Entries a node keeps in memory before its latest snapshot (etcd's snapshot-catchup-entries), so that a
    /// follower a little behind catches up from the log instead of receiving the whole snapshot.
    /// </summary>
    public int SnapshotCatchUpEntries { get; init; } = 5_000;

    /// <summary>
    /// Most MB per second a node streams to followers in snapshot chunks, all its transfers together (TiKV's
    /// snap-io-max-bytes-per-sec); 0: unpaced. A transfer then leaves the writes most of the cores and the disk.
    /// </summary>
    public int SnapshotSendMbPerSecond { get; init; } = DefaultSnapshotSendMbPerSecond;

    public const int DefaultSnapshotSendMbPerSecond = 8;

    /// <summary>The highest pace raft.toml accepts (about a 100 Gbit/s link): anything above is a typo.</summary>
    public const int MaxSnapshotSendMbPerSecond = 10_000;
}
