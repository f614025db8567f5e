using RaftOrleans.Raft;

namespace RaftOrleans.Storage;

/// <summary>What a node restarts from: its hard state and its log.</summary>
public sealed record PersistedState(HardState HardState, IReadOnlyList<LogEntry> Log)
{
    public static readonly PersistedState Empty = new(HardState.Initial, Array.Empty<LogEntry>());
}
