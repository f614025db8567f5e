using RaftOrleans.Raft;

namespace RaftOrleans.Storage;

/// <summary>
/// Storage that lives as long as the process: it survives a node grain's crash and restart (fault injection)
/// but not a silo restart. Same semantics as a replica's part of <see cref="SiloLog"/>, minus the files. Locked because a
/// node's grain turns may run on different threads over time.
/// </summary>
public sealed class InMemoryRaftStorage : IRaftStorage
{
    private readonly object _gate = new();
    private readonly List<LogEntry> _log = new(); // entries after the snapshot
    private HardState _hardState = HardState.Initial;
    private StoredSnapshot? _snapshot;

    public PersistedState Load()
    {
        lock (_gate) return new PersistedState(_hardState, _snapshot, _log.ToArray());
    }

    public void Persist(HardState? hardState, IReadOnlyList<LogEntry> entries)
    {
        lock (_gate)
        {
            if (hardState is not null) _hardState = hardState;
            if (entries.Count == 0) return;
            var prefix = _snapshot?.Index ?? 0;
            var keep = (int)Math.Clamp(entries[0].Index - 1 - prefix, 0, _log.Count);
            _log.RemoveRange(keep, _log.Count - keep);
            foreach (var entry in entries)
            {
                if (entry.Index > prefix) _log.Add(entry);
            }
        }
    }

    public void SaveSnapshot(StoredSnapshot snapshot, bool discardLog)
    {
        lock (_gate)
        {
            var covered = discardLog ? _log.Count : (int)Math.Clamp(snapshot.Index - (_snapshot?.Index ?? 0), 0, _log.Count);
            _log.RemoveRange(0, covered);
            _snapshot = snapshot;
        }
    }

    public void Dispose()
    {
    }
}
