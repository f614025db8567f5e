using RaftOrleans.Raft;

namespace RaftOrleans.Storage;

/// <summary>
/// One replica's state rebuilt from its records, oldest first: the last hard state wins, an entry at or below the
/// last index replaces the suffix from there, a snapshot marker drops what the snapshot covers; at the end its
/// snapshot file (<see cref="SnapshotFile"/>, in its own directory) is applied. A problem of this replica's alone (its
/// damaged snapshot file, missing entries) is kept and thrown when its state is asked for, so that it stops this
/// replica and not every replica of the silo's log.
/// </summary>
internal sealed class ReplicaReplay
{
    private readonly List<LogEntry> _entries = new();
    private readonly StoredSnapshot? _snapshot;
    private HardState _hardState = HardState.Initial;
    private long _prefixIndex;
    private long _prefixTerm;
    private Exception? _problem; // its snapshot file's
    private Exception? _logProblem; // its records': a later marker that discards its log makes it moot
    private PersistedState? _finished;

    /// <param name="directory">The replica's own directory, where its snapshot file is.</param>
    public ReplicaReplay(string directory)
    {
        try
        {
            _snapshot = SnapshotFile.TryRead(directory);
        }
        catch (Exception error) when (error is StorageCorruptedException or IOException or UnauthorizedAccessException)
        {
            _problem = error;
        }
    }

    /// <summary>
    /// Set by <see cref="Finish"/> when the snapshot file disagrees with the log, whose entries were then dropped: that
    /// was never written to the log (the crash came between the snapshot file and its marker), and must be before
    /// anything else is, or later entries would be dropped with them at the next start.
    /// </summary>
    public bool DiscardedForSnapshot { get; private set; }

    /// <summary>The snapshot file's point, if any.</summary>

    public void SetHardState(HardState state) => _hardState = state;

    public void AddEntry(LogEntry entry, string segmentPath, long offset)
    {
        if (_logProblem is not null || entry.Index <= _prefixIndex) return;
        var next = _prefixIndex + _entries.Count + 1;
        if (entry.Index > next && _snapshot is not null && entry.Index <= _snapshot.Index + 1)
        {
            // The segments before this one were deleted because the snapshot covers them; this segment
            // predates the snapshot, so its header does not say so. Everything before this entry is covered.
            _entries.Clear();
            _prefixIndex = entry.Index - 1;
            next = entry.Index;
        }
        if (entry.Index > next)
        {
            _logProblem = new StorageCorruptedException(segmentPath, offset,
                $"entry {entry.Index} follows entry {next - 1}: entries are missing");
            return;
        }
        if (entry.Index < next) _entries.RemoveRange((int)(entry.Index - _prefixIndex - 1), (int)(next - entry.Index));
        _entries.Add(entry);
    }

    /// <summary>Entries up to <paramref name="index"/> are in the snapshot; with <paramref name="discardLog"/>, the log is the snapshot alone.</summary>
    public void Compact(long index, long term, bool discardLog)
    {
        if (discardLog)
        {
            _entries.Clear();
            _logProblem = null;
        }
        else _entries.RemoveRange(0, (int)Math.Clamp(index - _prefixIndex, 0, _entries.Count));
        if (index > _prefixIndex || discardLog)
        {
            _prefixIndex = index;
            _prefixTerm = term;
        }
    }

    /// <summary>
    /// The snapshot file is made durable before its marker is written, so a crash between the two leaves a
    /// snapshot newer than the log knows: apply Figure 13's rule here (keep the suffix only if it agrees).
    /// </summary>
    public PersistedState Finish()
    {
        if ((_problem ?? _logProblem) is { } problem) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(problem);
        return _finished ??= Settle();
    }

    private PersistedState Settle()
    {
        if (_snapshot is null)
        {
            if (_prefixIndex > 0)
                throw new StorageCorruptedException(SnapshotFile.Name, 0, $"the log was compacted to {_prefixIndex} but no snapshot exists");
        }
        else if (_snapshot.Index < _prefixIndex)
        {
            throw new StorageCorruptedException(SnapshotFile.Name, 0,
                $"snapshot ends at {_snapshot.Index} but the log was compacted to {_prefixIndex}");
        }
        else if (_snapshot.Index > _prefixIndex)
        {
            var position = _snapshot.Index - _prefixIndex - 1;
            var agrees = position < _entries.Count && _entries[(int)position].Term == _snapshot.Term;
            Compact(_snapshot.Index, _snapshot.Term, discardLog: !agrees);
            DiscardedForSnapshot = !agrees;
        }
        return new PersistedState(_hardState, _snapshot, _entries.ToArray());
    }
}
