namespace RaftOrleans.Kv;

/// <summary>
/// One client request. (<see cref="ClientId"/>, <see cref="Sequence"/>) identifies it across retries: the
/// state machine applies a given pair at most once and answers repeats from its session record.
/// A client sends its requests one at a time with increasing sequence numbers, starting at 1.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record KvRequest(
    [property: Id(0)] Guid ClientId,
    [property: Id(1)] long Sequence,
    [property: Id(2)] KvOperation Operation,
    [property: Id(3)] string Key,
    [property: Id(4)] string? Value = null)
{
    public override string ToString() => Operation == KvOperation.Put
        ? $"put {Key}={Value} ({ClientId:N}#{Sequence})"
        : $"{Operation.ToString().ToLowerInvariant()} {Key} ({ClientId:N}#{Sequence})";
}
