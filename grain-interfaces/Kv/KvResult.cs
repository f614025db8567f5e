namespace RaftOrleans.Kv;

/// <summary>
/// The answer to put, get or delete. <see cref="Value"/> is set only for a successful get; <see cref="Reason"/>
/// explains Invalid and Unavailable answers.
/// <para>
/// In cluster mode a gateway also says where the request went (<see cref="Leader"/>, <see cref="GatewayNode"/>): the
/// client library learns from it to send a group's requests to the gateway on its leader's silo
/// (<c>GatewayMap</c>). It is never stored with a client's session: a resend's cached answer is routed afresh.
/// </para>
/// </summary>
/// <param name="Leader">The node that answered a definitive request: the group's leader at that moment.</param>
/// <param name="GatewayNode">Cluster mode: the node whose silo's gateway took the request.</param>
[GenerateSerializer, Immutable]
public sealed record KvResult(
    [property: Id(0)] KvStatus Status,
    [property: Id(1)] string? Value = null,
    [property: Id(2)] int? LeaderHint = null,
    [property: Id(3)] string? Reason = null,
    [property: Id(4)] int? Leader = null,
    [property: Id(5)] int? GatewayNode = null)
{
    public static readonly KvResult Ok = new(KvStatus.Ok);
    public static readonly KvResult KeyExists = new(KvStatus.KeyExists);
    public static readonly KvResult NotFound = new(KvStatus.NotFound);

    public static KvResult Found(string value) => new(KvStatus.Ok, Value: value);
    public static KvResult NotLeader(int? leaderHint) => new(KvStatus.NotLeader, LeaderHint: leaderHint);
    public static KvResult Unavailable(string reason) => new(KvStatus.Unavailable, Reason: reason);
    public static KvResult Invalid(string reason) => new(KvStatus.Invalid, Reason: reason);
    public static KvResult SessionExpired(string reason) => new(KvStatus.SessionExpired, Reason: reason);

    /// <summary>The request reached the state machine and was answered by it (success or refusal by KV semantics).</summary>
    public bool IsDefinitive => Status is KvStatus.Ok or KvStatus.KeyExists or KvStatus.NotFound;

    public override string ToString() => Status switch
    {
        KvStatus.Ok when Value is not null => $"Ok({Value})",
        KvStatus.NotLeader => $"NotLeader(hint: {LeaderHint?.ToString() ?? "none"})",
        KvStatus.Unavailable or KvStatus.Invalid or KvStatus.SessionExpired => $"{Status}({Reason})",
        _ => Status.ToString(),
    };
}
