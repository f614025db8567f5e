using RaftOrleans.Raft;

namespace RaftOrleans.Storage;

/// <summary>
/// Storage that lives as long as the process: it survives a node grain's crash and restart (fault injection)
/// but not a silo restart. Thread-safe because a node's grain calls may run on different threads over time.
/// </summary>
public sealed class InMemoryRaftStorage : IRaftStorage
{
    private readonly object _gate = new();
    private readonly List<LogEntry> _log = new();
    private HardState _hardState = HardState.Initial;

    public PersistedState Load()
    {
        lock (_gate) return new PersistedState(_hardState, _log.ToArray());
    }

    public void Persist(HardState? hardState, IReadOnlyList<LogEntry> entries)
    {
        lock (_gate)
        {
            if (hardState is not null) _hardState = hardState;
            if (entries.Count == 0) return;
            var keep = (int)Math.Min(entries[0].Index - 1, _log.Count);
            _log.RemoveRange(keep, _log.Count - keep);
            foreach (var entry in entries) _log.Add(entry);
        }
    }
}
