using RaftOrleans.Raft;

namespace RaftOrleans.Storage;

/// <summary>One replica's part of a write to the log: its hard state (when not null) and entries, as <see cref="IRaftStorage.Persist"/> takes them.</summary>
public readonly record struct ReplicaWrite(ReplicaId Replica, HardState? HardState, IReadOnlyList<LogEntry> Entries);
