namespace RaftOrleans.Kv;

/// <summary>
/// One request of a batch (<see cref="IKvGatewayGrain.Batch"/>) and the group it goes to: its own, since the requests
/// of one batch come from different sessions and may go to different groups. Null: the group the key's hash picks.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record KvGroupRequest(
    [property: Id(0)] KvRequest Request,
    [property: Id(1)] string? Group = null);
