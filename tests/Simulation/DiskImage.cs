using RaftOrleans.Raft;
using RaftOrleans.Storage;

namespace RaftOrleans.Tests.Simulation;

/// <summary>
/// The contents of a node's stable storage at one moment: hard state, latest snapshot, the log entries after it,
/// with IRaftStorage's semantics (a write drops every entry at or after its first one's index, then appends; a
/// snapshot forgets the entries it covers, or all of them with discardLog). Anything the file storage would
/// refuse is a violation.
/// </summary>
internal sealed class DiskImage
{
    private readonly List<LogEntry> _log = new(); // entries after the snapshot

    public HardState HardState { get; set; } = HardState.Initial;
    public StoredSnapshot? Snapshot { get; private set; }
    public long SnapshotIndex => Snapshot?.Index ?? 0;
    public long SnapshotTerm => Snapshot?.Term ?? 0;
    public IReadOnlyList<LogEntry> Log => _log;
    public long LastIndex => SnapshotIndex + _log.Count;

    /// <summary>The term of the entry at <paramref name="index"/> (the snapshot's at its index), or null if not held.</summary>
    public long? TermAt(long index)
    {
        if (index == SnapshotIndex) return SnapshotTerm;
        if (index < SnapshotIndex || index > LastIndex) return null;
        return _log[(int)(index - SnapshotIndex - 1)].Term;
    }

    public LogEntry EntryAt(long index) => index > SnapshotIndex && index <= LastIndex
        ? _log[(int)(index - SnapshotIndex - 1)]
        : throw new InvariantViolation($"disk holds ({SnapshotIndex}, {LastIndex}], not {index}");

    public DiskImage Clone()
    {
        var copy = new DiskImage { HardState = HardState, Snapshot = Snapshot };
        copy._log.AddRange(_log);
        return copy;
    }

    public void Persist(HardState? hardState, IReadOnlyList<LogEntry> entries)
    {
        if (hardState is not null) HardState = hardState;
        if (entries.Count == 0) return;
        var first = entries[0].Index;
        if (first <= SnapshotIndex)
            throw new InvariantViolation($"persist of entries from {first} into the snapshot, which ends at {SnapshotIndex}");
        if (first > LastIndex + 1)
            throw new InvariantViolation($"persist of entries from {first} onto a disk log ending at {LastIndex} leaves a gap");
        var keep = (int)(first - SnapshotIndex - 1);
        _log.RemoveRange(keep, _log.Count - keep);
        foreach (var entry in entries)
        {
            if (entry.Index != LastIndex + 1)
                throw new InvariantViolation($"persist batch is not contiguous: {entry.Index} after {LastIndex}");
            _log.Add(entry);
        }
    }

    public void SaveSnapshot(StoredSnapshot snapshot, bool discardLog)
    {
        if (snapshot.Index <= SnapshotIndex)
            throw new InvariantViolation($"snapshot at {snapshot.Index} saved over a newer one at {SnapshotIndex}");
        var covered = discardLog ? _log.Count : (int)Math.Clamp(snapshot.Index - SnapshotIndex, 0, _log.Count);
        _log.RemoveRange(0, covered);
        Snapshot = snapshot;
    }
}
