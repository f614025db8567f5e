using Orleans;

namespace RaftOrleans.Raft;

/// <summary>
/// One slot of the replicated log. A <see cref="LogEntryKind.Command"/> entry's <see cref="Data"/> is opaque to Raft:
/// the KV layer encodes its commands into it; a leader's no-op (appended on election, see Figure 8 of the Raft paper)
/// is a command without data. A <see cref="LogEntryKind.Config"/> entry carries a <see cref="ClusterConfig"/>.
/// The array is never mutated after the entry is created, which is what makes the record immutable.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record LogEntry(
    [property: Id(0)] long Index,
    [property: Id(1)] long Term,
    [property: Id(2)] byte[] Data,
    [property: Id(3)] LogEntryKind Kind = LogEntryKind.Command)
{
    public static LogEntry NoOp(long index, long term) => new(index, term, Array.Empty<byte>());

    public static LogEntry Configuration(long index, long term, ClusterConfig config) => new(index, term, config.Encode(), LogEntryKind.Config);

    public bool IsNoOp => Kind == LogEntryKind.Command && Data.Length == 0;

    public bool IsConfig => Kind == LogEntryKind.Config;
}

public enum LogEntryKind : byte
{
    /// <summary>For the state machine (or a no-op, when empty).</summary>
    Command = 0,

    /// <summary>A new cluster configuration, for Raft itself.</summary>
    Config = 1,
}
