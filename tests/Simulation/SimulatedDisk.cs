using RaftOrleans.Raft;

namespace RaftOrleans.Tests.Simulation;

/// <summary>A state-machine snapshot on a simulated disk: the KV bytes as of (Index, Term).</summary>
internal sealed record DiskSnapshot(long Index, long Term, byte[] Data);

/// <summary>
/// A node's stable storage, modelled the way the file storage behaves under a crash. It has a DURABLE part
/// (what a restart finds) and a PENDING part (written, not yet fsynced). The shell persists each Ready with
/// one write and one fsync: <see cref="Write"/> puts the Ready's records (hard state first, then the entries,
/// the file storage's order) in the pending part, <see cref="Sync"/> makes them durable. Between Readies the
/// pending part is always empty, so a crash there keeps everything. A crash in the middle of a Ready goes
/// through <see cref="Tear"/>: only some of the pending records reach the durable part. Saving a snapshot is
/// atomic (the file storage writes a new file, fsyncs it, then logs a marker) and durable at once.
/// The semantics are IRaftStorage's: a write drops every entry at or after its first one's index, then
/// appends; a snapshot forgets the entries it covers, or all of them with discardLog.
/// </summary>
internal sealed class SimulatedDisk
{
    private readonly List<LogEntry> _log = new(); // durable entries after the snapshot
    private (HardState? HardState, LogEntry[] Entries)? _pending;

    public HardState HardState { get; private set; } = HardState.Initial;

    public DiskSnapshot? Snapshot { get; private set; }

    public long SnapshotIndex => Snapshot?.Index ?? 0;

    public long SnapshotTerm => Snapshot?.Term ?? 0;

    /// <summary>The durable entries after the snapshot (all of them when there is none).</summary>
    public IReadOnlyList<LogEntry> Log => _log;

    public long LastIndex => SnapshotIndex + _log.Count;

    public long LastTerm => _log.Count == 0 ? SnapshotTerm : _log[^1].Term;

    public bool HasPending => _pending is not null;

    /// <summary>The term of the durable entry at <paramref name="index"/> (the snapshot's at its index), or null if not held.</summary>
    public long? TermAt(long index)
    {
        if (index == SnapshotIndex) return SnapshotTerm;
        if (index < SnapshotIndex || index > LastIndex) return null;
        return _log[(int)(index - SnapshotIndex - 1)].Term;
    }

    public LogEntry EntryAt(long index) => index > SnapshotIndex && index <= LastIndex
        ? _log[(int)(index - SnapshotIndex - 1)]
        : throw new InvariantViolation($"disk holds ({SnapshotIndex}, {LastIndex}], not {index}");

    /// <summary>One write of a Ready's hard state and entries; nothing of it is durable before <see cref="Sync"/>.</summary>
    public void Write(HardState? hardState, IReadOnlyList<LogEntry> entries)
    {
        if (_pending is not null) throw new InvalidOperationException("a write is already pending: every Ready is fsynced before the next");
        if (hardState is null && entries.Count == 0) return;
        _pending = (hardState, entries.ToArray());
    }

    /// <summary>The fsync: the pending write becomes durable whole.</summary>
    public void Sync()
    {
        if (_pending is not { } pending) return;
        _pending = null;
        if (pending.HardState is { } hardState) HardState = hardState;
        Append(pending.Entries);
    }

    /// <summary>
    /// A crash before the fsync: of the pending write, only the hard state if <paramref name="keepHardState"/>
    /// and the first <paramref name="keepEntries"/> entries reach the durable part; the rest is gone.
    /// </summary>
    public void Tear(bool keepHardState, int keepEntries)
    {
        if (_pending is not { } pending) return;
        _pending = null;
        if (keepHardState && pending.HardState is { } hardState) HardState = hardState;
        Append(pending.Entries.AsSpan(0, keepEntries).ToArray());
    }

    /// <summary>IRaftStorage.SaveSnapshot: durable at once, then the covered entries (or all, with <paramref name="discardLog"/>) go.</summary>
    public void SaveSnapshot(DiskSnapshot snapshot, bool discardLog)
    {
        if (_pending is not null) throw new InvalidOperationException("a snapshot is saved between writes, never inside one");
        if (snapshot.Index <= SnapshotIndex)
            throw new InvariantViolation($"snapshot at {snapshot.Index} saved over a newer one at {SnapshotIndex}");
        var covered = discardLog ? _log.Count : (int)Math.Clamp(snapshot.Index - SnapshotIndex, 0, _log.Count);
        _log.RemoveRange(0, covered);
        Snapshot = snapshot;
    }

    /// <summary>The deliberate storage bug of <see cref="SimulationSettings.DiskForgetsHardState"/>.</summary>
    public void ForgetHardState() => HardState = HardState.Initial;

    private void Append(LogEntry[] entries)
    {
        if (entries.Length == 0) return;
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
}
