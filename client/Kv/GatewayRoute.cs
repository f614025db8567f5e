using RaftOrleans.Configuration;
using RaftOrleans.Groups;

namespace RaftOrleans.Client.Kv;

/// <summary>
/// How a request reaches a gateway, and what a failed attempt is worth. Embedded mode has one silo: an attempt
/// waits the gateway's whole deadline, and a lost connection ends the command (there is nothing else to try).
/// Cluster mode has a gateway on every silo: an attempt waits at most one election timeout, and a
/// resend (same request id, so still applied at most once) goes out under another gateway grain key, which the
/// Orleans client maps to a gateway of its own — a dead or paused silo costs one attempt, not the request.
/// <para>
/// Every request names its group: the one the command line names, else the one the key's hash picks (the rule the
/// gateway applies too, <see cref="RaftGroups.For"/>). The client decides, so that it numbers each group's writes on
/// their own: a client's session lives in each group's state machine separately.
/// </para>
/// </summary>
internal sealed class GatewayRoute
{
    /// <summary>Keys of the stateless gateway grain an attempt may use: enough to spread attempts over every gateway.</summary>
    public const int GatewayKeys = 64;

    // Cluster mode: a failed attempt is often a fast one (a connection refused by a killed silo); the pause keeps
    // a session's resends from being spent before the election that follows is over.
    private static readonly TimeSpan ClusterResendPause = TimeSpan.FromMilliseconds(50);

    // Embedded mode: the gateway has just spent its whole deadline, so an election is either over or needs a
    // moment more; resending at once would only add load.
    private static readonly TimeSpan EmbeddedResendPause = TimeSpan.FromMilliseconds(100);

    private readonly IGrainFactory _grains;
    private readonly TimeSpan _requestTimeout;
    private readonly TimeSpan _clusterAttemptTimeout;

    private readonly RaftGroups _groups;
    private readonly string? _namedGroup;

    /// <param name="namedGroup">The group every request goes to; null: each key's own group.</param>
    public GatewayRoute(IGrainFactory grains, RaftConfig config, RaftGroups groups, string? namedGroup = null)
    {
        _grains = grains;
        _groups = groups;
        _namedGroup = namedGroup;
        _requestTimeout = config.Gateway.RequestTimeout;
        SpreadOverSilos = config.Cluster.Mode == ClusterMode.Cluster;
        // Far longer than a healthy answer (tens of ms under load); as long as a failover's election takes. A
        // request lost with a killed silo's gateway gets no error (it would wait for Orleans' response timeout),
        // and one held by a paused silo none either: either is resent through another gateway this soon.
        _clusterAttemptTimeout = config.Raft.ElectionTimeoutMax;
    }

    /// <summary>The group a request for <paramref name="key"/> goes to.</summary>
    public string GroupOf(string key) => _namedGroup ?? _groups.For(null, key).Name;

    /// <summary>Cluster mode: attempts are short, spread over the silos, and survive a lost connection.</summary>
    public bool SpreadOverSilos { get; }

    /// <summary>
    /// Whether a session given <paramref name="deadlines"/> gateway deadlines of patience may send again after
    /// <paramref name="attempts"/> attempts over <paramref name="elapsed"/>: one attempt per deadline (embedded), or
    /// as many short ones as fit in that time (cluster mode).
    /// </summary>
    public bool MayResend(int deadlines, int attempts, TimeSpan elapsed) =>
        SpreadOverSilos ? elapsed < _requestTimeout * deadlines : attempts < deadlines;

    /// <summary>The pause before resend number <paramref name="attempt"/>.</summary>
    public TimeSpan PauseBeforeResend(int attempt) => SpreadOverSilos ? ClusterResendPause : EmbeddedResendPause * attempt;

    /// <summary>The deadline of one attempt; null: the gateway's own deadline (plus Orleans' response margin).</summary>
    public TimeSpan? AttemptTimeout => SpreadOverSilos ? _clusterAttemptTimeout : null;

    /// <summary>The gateway grain for an attempt: the one gateway (embedded) or one picked at random (cluster).</summary>
    public IKvGatewayGrain Gateway() =>
        _grains.GetGrain<IKvGatewayGrain>(SpreadOverSilos ? Random.Shared.Next(GatewayKeys) : 0);
}
