using RaftOrleans.Configuration;

namespace RaftOrleans.Client.Kv;

/// <summary>
/// How a request reaches a gateway, and what a failed attempt is worth. Embedded mode has one silo: an attempt
/// waits the gateway's whole deadline, and a lost connection ends the command (there is nothing else to try).
/// Cluster mode has a gateway on every silo: an attempt waits at most <see cref="ClusterAttemptTimeout"/>, and a
/// resend (same request id, so still applied at most once) goes out under another gateway grain key, which the
/// Orleans client maps to a gateway of its own — a dead or paused silo costs one attempt, not the request.
/// </summary>
internal sealed class GatewayRoute
{
    /// <summary>
    /// One attempt in cluster mode. Longer than any healthy answer (tens of ms under load) and than a failover the
    /// gateway rides out itself; short enough that a paused silo holding the request is left quickly.
    /// </summary>
    public static readonly TimeSpan ClusterAttemptTimeout = TimeSpan.FromSeconds(1);

    // Keys of the stateless gateway grain an attempt may use: enough to spread attempts over every gateway.
    private const int GatewayKeys = 64;

    private readonly IGrainFactory _grains;

    public GatewayRoute(IGrainFactory grains, RaftConfig config)
    {
        _grains = grains;
        SpreadOverSilos = config.Cluster.Mode == ClusterMode.Cluster;
        // The same patience in both modes: as many short cluster attempts as fit in one gateway deadline.
        AttemptsPerDeadline = SpreadOverSilos
            ? Math.Max(1, (int)Math.Ceiling(config.Gateway.RequestTimeout / ClusterAttemptTimeout))
            : 1;
    }

    /// <summary>Cluster mode: attempts are short, spread over the silos, and survive a lost connection.</summary>
    public bool SpreadOverSilos { get; }

    /// <summary>How many attempts stand for one embedded-mode attempt (which waits a whole gateway deadline).</summary>
    public int AttemptsPerDeadline { get; }

    /// <summary>The deadline of one attempt; null: the gateway's own deadline (plus Orleans' response margin).</summary>
    public TimeSpan? AttemptTimeout => SpreadOverSilos ? ClusterAttemptTimeout : null;

    /// <summary>The gateway grain for an attempt: the one gateway (embedded) or one picked at random (cluster).</summary>
    public IKvGatewayGrain Gateway() =>
        _grains.GetGrain<IKvGatewayGrain>(SpreadOverSilos ? Random.Shared.Next(GatewayKeys) : 0);
}
