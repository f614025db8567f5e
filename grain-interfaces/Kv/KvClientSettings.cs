using RaftOrleans.Groups;

namespace RaftOrleans.Kv;

/// <summary>
/// What a client must know of the cluster to send requests the way its gateways expect: the groups (to number each
/// group's writes on their own), the gateways' deadline, how long one attempt may wait in cluster mode, and how long
/// an idle session lives. A silo answers it from its raft.toml (<see cref="IKvGatewayGrain.GetClientSettings"/>), so
/// an application needs nothing but an Orleans client; the console reads the same raft.toml itself.
/// </summary>
/// <param name="Groups">Every group's name and replica count, as raft.toml's [groups] declares them.</param>
/// <param name="Nodes">The node slots the groups are laid over (cluster.nodes).</param>
/// <param name="RequestTimeout">gateway.request_timeout_ms: a gateway answers Unavailable after this.</param>
/// <param name="AttemptTimeout">
/// Cluster mode (one node per silo, a gateway on every silo): how long one attempt waits before it is resent through
/// another gateway (a killed or paused silo answers nothing). Null in embedded mode: one silo, one gateway.
/// </param>
/// <param name="SessionLifetime">gateway.session_lifetime_ms: a session this long without a write expires.</param>
/// <param name="MaxRequestsInFlight">
/// gateway.max_requests_in_flight: the most requests one connection may have out at a silo; a batch of more would be
/// refused whole, every time (0 from a silo that does not say: no bound of its own).
/// </param>
[GenerateSerializer, Immutable]
public sealed record KvClientSettings(
    [property: Id(0)] GroupSize[] Groups,
    [property: Id(1)] int Nodes,
    [property: Id(2)] TimeSpan RequestTimeout,
    [property: Id(3)] TimeSpan? AttemptTimeout,
    [property: Id(4)] TimeSpan SessionLifetime,
    [property: Id(5)] int MaxRequestsInFlight = 0)
{
    /// <summary>The settings for <paramref name="groups"/> (in their order, by name), the given timings and the bound on requests in flight.</summary>
    public static KvClientSettings For(RaftGroups groups, TimeSpan requestTimeout, TimeSpan? attemptTimeout, TimeSpan sessionLifetime,
        int maxRequestsInFlight) =>
        new(groups.All.Select(g => new GroupSize(g.Name, g.Replicas)).ToArray(), groups.Nodes, requestTimeout, attemptTimeout, sessionLifetime,
            maxRequestsInFlight);

    /// <summary>Cluster mode: attempts are short and spread over every silo's gateway.</summary>
    public bool SpreadOverSilos => AttemptTimeout is not null;

    /// <summary>The groups laid over the nodes, with the rule that picks a key's group.</summary>
    public RaftGroups ToGroups() => new(Groups.Select(g => (g.Name, g.Replicas)), Nodes);

    /// <summary>Compared by content (the record's own equality compares the array by reference).</summary>
    public bool SameAs(KvClientSettings other) =>
        Groups.SequenceEqual(other.Groups) && Nodes == other.Nodes && RequestTimeout == other.RequestTimeout &&
        AttemptTimeout == other.AttemptTimeout && SessionLifetime == other.SessionLifetime && MaxRequestsInFlight == other.MaxRequestsInFlight;
}

/// <summary>One group's name and replica count.</summary>
[GenerateSerializer, Immutable]
public sealed record GroupSize([property: Id(0)] string Name, [property: Id(1)] int Replicas);
