namespace RaftOrleans.Storage;

/// <summary>One segment file of a write-ahead log, and the highest entry index each replica has in it.</summary>
internal sealed class WalSegment(string path, long sequence)
{
    public string Path { get; } = path;

    public long Sequence { get; } = sequence;

    private readonly Dictionary<ReplicaId, long> _maxEntryIndex = new();

    /// <summary>Bytes of records in the file; the rest of it is zeros reserved for later records.</summary>
    public long DataLength { get; set; }

    public void NoteEntry(ReplicaId replica, long index) =>
        _maxEntryIndex[replica] = Math.Max(_maxEntryIndex.GetValueOrDefault(replica), index);

    /// <summary>A snapshot that discards the replica's whole log was written after its entries here: none of them counts any more.</summary>
    public void ForgetEntries(ReplicaId replica) => _maxEntryIndex.Remove(replica);

    /// <summary>Whether every entry here is covered by its replica's snapshot (its index there, or 0 for none).</summary>
    public bool CoveredBy(Func<ReplicaId, long> snapshotIndex) => !Uncovered(snapshotIndex).Any();

    /// <summary>The replicas with entries here that their snapshot does not cover.</summary>
    public IEnumerable<ReplicaId> Uncovered(Func<ReplicaId, long> snapshotIndex) =>
        _maxEntryIndex.Where(pair => pair.Value > snapshotIndex(pair.Key)).Select(pair => pair.Key);

    public static string FileName(long sequence) => $"wal-{sequence:D10}.log";

    public static bool TryParse(string path, out long sequence)
    {
        var name = System.IO.Path.GetFileName(path);
        sequence = 0;
        return name.StartsWith("wal-", StringComparison.Ordinal) && name.EndsWith(".log", StringComparison.Ordinal)
            && long.TryParse(name.AsSpan(4, name.Length - 8), out sequence);
    }
}
