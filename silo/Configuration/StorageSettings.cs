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
}
