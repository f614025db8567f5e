namespace RaftOrleans.Storage;

/// <summary>The kinds of record in a write-ahead log segment.</summary>
internal enum WalRecordType : byte
{
    /// <summary>term (i64), voted for (i32, -1 for none).</summary>
    HardState = 1,

    /// <summary>index (i64), term (i64), data (the rest). An entry at or below the last one replaces it and all after it.</summary>
    Entry = 2,

    /// <summary>index (i64), term (i64), discard log (u8): entries up to index are in the snapshot; with discard, all are.</summary>
    SnapshotMarker = 3,

    /// <summary>As <see cref="Entry"/>, for a configuration entry (its data is a ClusterConfig). Older logs have none.</summary>
    ConfigEntry = 4,
}
