using System.Buffers.Binary;
using RaftOrleans.Raft;

namespace RaftOrleans.Storage;

/// <summary>
/// Rebuilds a node's state from its snapshot file and its segments, oldest first: the last hard state wins,
/// an entry at or below the last index replaces the suffix from there, a snapshot marker drops what the
/// snapshot covers. A torn tail of the newest segment is cut off; any other damage throws.
/// </summary>
internal sealed class WalReplay
{
    private readonly List<LogEntry> _entries = new();
    private long _prefixIndex;
    private long _prefixTerm;

    public HardState HardState { get; private set; } = HardState.Initial;
    public StoredSnapshot? Snapshot { get; private set; }
    public List<WalSegment> Segments { get; } = new();

    /// <summary>Set when a torn last record was cut off (what a crash mid-write leaves).</summary>
    public string? RepairedTornTail { get; private set; }

    public IReadOnlyList<LogEntry> Entries => _entries;

    public static WalReplay Run(string directory)
    {
        var replay = new WalReplay { Snapshot = SnapshotFile.TryRead(directory) };
        var files = Directory.GetFiles(directory, "wal-*.log")
            .Select(path => WalSegment.TryParse(path, out var sequence) ? new WalSegment(path, sequence) : null)
            .OfType<WalSegment>()
            .OrderBy(segment => segment.Sequence)
            .ToList();
        for (var i = 0; i < files.Count; i++) replay.ReadSegment(files[i], isNewest: i == files.Count - 1);
        replay.ApplySnapshotFile();
        return replay;
    }

    private void ReadSegment(WalSegment segment, bool isNewest)
    {
        var reader = new WalSegmentReader(segment.Path);
        while (reader.TryRead(out var type, out var payload))
        {
            var span = payload.Span;
            switch (type)
            {
                case WalRecordType.HardState:
                    var vote = BinaryPrimitives.ReadInt32LittleEndian(span[8..]);
                    HardState = new HardState(BinaryPrimitives.ReadInt64LittleEndian(span), vote < 0 ? null : vote);
                    break;
                case WalRecordType.Entry or WalRecordType.ConfigEntry:
                    var entry = new LogEntry(
                        BinaryPrimitives.ReadInt64LittleEndian(span),
                        BinaryPrimitives.ReadInt64LittleEndian(span[8..]),
                        span[16..].ToArray(),
                        type == WalRecordType.ConfigEntry ? LogEntryKind.Config : LogEntryKind.Command);
                    AddEntry(entry, segment, reader.GoodLength);
                    segment.MaxEntryIndex = Math.Max(segment.MaxEntryIndex, entry.Index);
                    break;
                case WalRecordType.SnapshotMarker:
                    Compact(BinaryPrimitives.ReadInt64LittleEndian(span), BinaryPrimitives.ReadInt64LittleEndian(span[8..]),
                        discardLog: span[16] == 1);
                    break;
            }
        }
        if (reader.TornTail)
        {
            if (!isNewest)
            {
                throw new StorageCorruptedException(segment.Path, reader.GoodLength,
                    "an older segment ends in an incomplete record");
            }
            using (var file = new FileStream(segment.Path, FileMode.Open, FileAccess.Write))
            {
                // Cutting the file drops the torn bytes; the storage reserves zeros after it again when it opens it.
                file.SetLength(reader.GoodLength);
                file.Flush(flushToDisk: true);
            }
            RepairedTornTail = $"{segment.Path}: cut a torn last record at byte {reader.GoodLength}";
        }
        segment.DataLength = reader.GoodLength;
        Segments.Add(segment);
    }

    private void AddEntry(LogEntry entry, WalSegment segment, long offset)
    {
        if (entry.Index <= _prefixIndex) return;
        var next = _prefixIndex + _entries.Count + 1;
        if (entry.Index > next && Snapshot is not null && entry.Index <= Snapshot.Index + 1)
        {
            // The segments before this one were deleted because the snapshot covers them; this segment
            // predates the snapshot, so its header does not say so. Everything before this entry is covered.
            _entries.Clear();
            _prefixIndex = entry.Index - 1;
            next = entry.Index;
        }
        if (entry.Index > next)
        {
            throw new StorageCorruptedException(segment.Path, offset,
                $"entry {entry.Index} follows entry {next - 1}: entries are missing");
        }
        if (entry.Index < next) _entries.RemoveRange((int)(entry.Index - _prefixIndex - 1), (int)(next - entry.Index));
        _entries.Add(entry);
    }

    private void Compact(long index, long term, bool discardLog)
    {
        if (discardLog) _entries.Clear();
        else _entries.RemoveRange(0, (int)Math.Clamp(index - _prefixIndex, 0, _entries.Count));
        if (index > _prefixIndex)
        {
            _prefixIndex = index;
            _prefixTerm = term;
        }
    }

    /// <summary>
    /// The snapshot file is made durable before its marker is written, so a crash between the two leaves a
    /// snapshot newer than the log knows: apply Figure 13's rule here (keep the suffix only if it agrees).
    /// </summary>
    private void ApplySnapshotFile()
    {
        if (Snapshot is null)
        {
            if (_prefixIndex > 0)
                throw new StorageCorruptedException(SnapshotFile.Name, 0, $"the log was compacted to {_prefixIndex} but no snapshot exists");
            return;
        }
        if (Snapshot.Index < _prefixIndex)
            throw new StorageCorruptedException(SnapshotFile.Name, 0,
                $"snapshot ends at {Snapshot.Index} but the log was compacted to {_prefixIndex}");
        if (Snapshot.Index == _prefixIndex) return;
        var position = Snapshot.Index - _prefixIndex - 1;
        var agrees = position < _entries.Count && _entries[(int)position].Term == Snapshot.Term;
        Compact(Snapshot.Index, Snapshot.Term, discardLog: !agrees);
    }
}
