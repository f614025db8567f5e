namespace RaftOrleans.Raft;

/// <summary>
/// The in-memory view of a node's log. Indexes start at 1; index 0 with term 0 is the empty prefix every
/// log shares. <see cref="FirstIndex"/> leaves room for compaction: entries below it have been folded into
/// a snapshot whose last index and term are kept as the new "prefix".
/// </summary>
public sealed class RaftLog
{
    private readonly List<LogEntry> _entries = new();

    public RaftLog(long prefixIndex = 0, long prefixTerm = 0)
    {
        PrefixIndex = prefixIndex;
        PrefixTerm = prefixTerm;
    }

    /// <summary>Index of the last entry covered by the snapshot (0 if none).</summary>
    public long PrefixIndex { get; private set; }

    /// <summary>Term of the entry at <see cref="PrefixIndex"/>.</summary>
    public long PrefixTerm { get; private set; }

    public long FirstIndex => PrefixIndex + 1;
    public long LastIndex => PrefixIndex + _entries.Count;
    public long LastTerm => _entries.Count == 0 ? PrefixTerm : _entries[^1].Term;

    /// <summary>The term of the entry at <paramref name="index"/>, or null if the log does not hold it.</summary>
    public long? TermAt(long index)
    {
        if (index == PrefixIndex) return PrefixTerm;
        if (index < PrefixIndex || index > LastIndex) return null;
        return _entries[(int)(index - FirstIndex)].Term;
    }

    public LogEntry this[long index] => index >= FirstIndex && index <= LastIndex
        ? _entries[(int)(index - FirstIndex)]
        : throw new ArgumentOutOfRangeException(nameof(index), index, $"log holds [{FirstIndex}, {LastIndex}]");

    /// <summary>Entries [from, to] inclusive, at most <paramref name="max"/> of them.</summary>
    public LogEntry[] Slice(long from, long to, int max)
    {
        if (from < FirstIndex) throw new ArgumentOutOfRangeException(nameof(from), from, "compacted");
        to = Math.Min(to, LastIndex);
        if (to < from) return Array.Empty<LogEntry>();
        var count = (int)Math.Min(to - from + 1, max);
        return _entries.GetRange((int)(from - FirstIndex), count).ToArray();
    }

    public void Append(LogEntry entry)
    {
        if (entry.Index != LastIndex + 1)
            throw new InvalidOperationException($"append of index {entry.Index} after {LastIndex}");
        _entries.Add(entry);
    }

    /// <summary>Drops every entry at or after <paramref name="index"/> (a conflicting suffix).</summary>
    public void TruncateFrom(long index)
    {
        if (index <= PrefixIndex) throw new InvalidOperationException($"truncate at {index} into the snapshot");
        if (index > LastIndex) return;
        _entries.RemoveRange((int)(index - FirstIndex), (int)(LastIndex - index + 1));
    }

    /// <summary>
    /// Folds every entry up to <paramref name="index"/> into the prefix: a snapshot now stands for them.
    /// Keeps the entries after it.
    /// </summary>
    public void CompactTo(long index)
    {
        if (index <= PrefixIndex) return;
        var term = TermAt(index) ?? throw new ArgumentOutOfRangeException(nameof(index), index, $"log holds [{FirstIndex}, {LastIndex}]");
        _entries.RemoveRange(0, (int)(index - PrefixIndex));
        PrefixIndex = index;
        PrefixTerm = term;
    }

    /// <summary>Replaces the whole log by a snapshot ending at (<paramref name="index"/>, <paramref name="term"/>).</summary>
    public void ResetTo(long index, long term)
    {
        _entries.Clear();
        PrefixIndex = index;
        PrefixTerm = term;
    }

    /// <summary>The first index of the run of entries with <paramref name="term"/> that ends at <paramref name="index"/>.</summary>
    public long FirstIndexOfTermAt(long index, long term)
    {
        var i = index;
        while (i - 1 > PrefixIndex && TermAt(i - 1) == term) i--;
        return i;
    }

    /// <summary>The last index holding an entry of <paramref name="term"/>, or null if none does.</summary>
    public long? LastIndexOfTerm(long term)
    {
        for (var i = LastIndex; i > PrefixIndex; i--)
        {
            var t = _entries[(int)(i - FirstIndex)].Term;
            if (t == term) return i;
            if (t < term) return null; // terms only grow along the log
        }
        return PrefixTerm == term && PrefixIndex > 0 ? PrefixIndex : null;
    }

    /// <summary>Is a log ending at (lastIndex, lastTerm) at least as up to date as this one (section 5.4.1)?</summary>
    public bool IsUpToDate(long lastIndex, long lastTerm) =>
        lastTerm > LastTerm || (lastTerm == LastTerm && lastIndex >= LastIndex);
}
