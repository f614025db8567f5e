using Orleans;

namespace RaftOrleans.Raft;

/// <summary>
/// One slot of the replicated log. <see cref="Data"/> is opaque to Raft: the KV layer encodes its
/// commands into it. A leader's no-op (appended on election, see Figure 8 of the Raft paper) has no data.
/// The array is never mutated after the entry is created, which is what makes the record immutable.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record LogEntry(
    [property: Id(0)] long Index,
    [property: Id(1)] long Term,
    [property: Id(2)] byte[] Data)
{
    public static LogEntry NoOp(long index, long term) => new(index, term, Array.Empty<byte>());

    public bool IsNoOp => Data.Length == 0;
}
