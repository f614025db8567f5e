namespace RaftOrleans.Storage;

/// <summary>One segment file of the write-ahead log and the highest entry index it holds.</summary>
internal sealed record WalSegment(string Path, long Sequence)
{
    public long MaxEntryIndex { get; set; }

    /// <summary>Bytes of records in the file; the rest of it is zeros reserved for later records.</summary>
    public long DataLength { get; set; }

    public static string FileName(long sequence) => $"wal-{sequence:D10}.log";

    public static bool TryParse(string path, out long sequence)
    {
        var name = System.IO.Path.GetFileName(path);
        sequence = 0;
        return name.StartsWith("wal-", StringComparison.Ordinal) && name.EndsWith(".log", StringComparison.Ordinal)
            && long.TryParse(name.AsSpan(4, name.Length - 8), out sequence);
    }
}
