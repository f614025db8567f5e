using RaftOrleans.Raft;

namespace RaftOrleans.Storage;

/// <summary>What a node restarts from: its hard state, its latest snapshot and the log entries after it.</summary>
public sealed record PersistedState(HardState HardState, StoredSnapshot? Snapshot, IReadOnlyList<LogEntry> Log)
{
    public static readonly PersistedState Empty = new(HardState.Initial, null, Array.Empty<LogEntry>());
}
