using RaftOrleans.Groups;
using RaftOrleans.Kv;

namespace RaftOrleans.KeyValue.Sessions;

/// <summary>
/// How a request reaches a gateway, and what a failed attempt is worth. Embedded mode has one silo: an attempt
/// waits the gateway's whole deadline. Cluster mode has a gateway on every silo: a request goes to the one on its
/// group's leader's silo when the route has learned which that is (<see cref="GatewayMap"/>); an attempt waits at most
/// one election timeout, and a failed one forgets that leader, so the resend (same request id, so still applied at
/// most once) goes out under a random gateway grain key, which the Orleans client maps to a gateway of its own — a
/// dead or paused silo costs one attempt, not the request.
/// <para>
/// Every request names its group: the one this route is for, else the one the key's hash picks (the rule the
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

    // Embedded mode: the gateway has most often just spent its whole deadline, so an election is either over or
    // needs a moment more; resending at once would only add load.
    private static readonly TimeSpan EmbeddedResendPause = TimeSpan.FromMilliseconds(100);

    private readonly IGrainFactory _grains;
    private readonly RaftGroups _groups;
    private readonly string? _namedGroup;
    private readonly GatewayLosses? _losses;
    private readonly GatewayMap? _map;

    /// <param name="namedGroup">The group every request goes to; null: each key's own group.</param>
    /// <param name="resendLostConnections">
    /// Whether a connection lost in embedded mode is an attempt to resend (the library: the Orleans client reconnects
    /// when the silo is back) rather than the end of the request (the console: there is one silo, so it says so at
    /// once). Cluster mode always resends, through another silo's gateway.
    /// </param>
    public GatewayRoute(IGrainFactory grains, KvClientSettings settings, string? namedGroup = null, bool resendLostConnections = true)
        : this(grains, settings, settings.ToGroups(), namedGroup, resendLostConnections, settings.SpreadOverSilos ? GatewayLosses.Of(grains) : null,
            settings.SpreadOverSilos ? new GatewayMap(GatewayKeys) : null)
    {
    }

    private GatewayRoute(IGrainFactory grains, KvClientSettings settings, RaftGroups groups, string? namedGroup, bool resendLostConnections,
        GatewayLosses? losses, GatewayMap? map)
    {
        if (namedGroup is not null && groups.Unknown(namedGroup) is { } unknown) throw new ArgumentException(unknown, nameof(namedGroup));
        _grains = grains;
        Settings = settings;
        _groups = groups;
        _namedGroup = namedGroup;
        _losses = losses;
        _map = map;
        ResendsLostConnections = resendLostConnections || settings.SpreadOverSilos;
    }

    public KvClientSettings Settings { get; }

    /// <summary>This route for <paramref name="group"/>'s requests.</summary>
    /// <exception cref="ArgumentException">The cluster has no such group (the message lists those it has).</exception>
    public GatewayRoute ForGroup(string group) => new(_grains, Settings, _groups, group, ResendsLostConnections, _losses, _map);

    /// <summary>Why <paramref name="group"/> names none of the cluster's groups (listing them); null when it names one.</summary>
    public string? UnknownGroup(string group) => _groups.Unknown(group);

    /// <summary>The group a request for <paramref name="key"/> goes to.</summary>
    public string GroupOf(string key) => _namedGroup ?? _groups.For(null, key).Name;

    /// <summary>Cluster mode: attempts are short, spread over the silos, and survive a lost connection.</summary>
    public bool SpreadOverSilos => Settings.SpreadOverSilos;

    /// <summary>A lost connection is an attempt that failed, to resend, rather than an error that ends the request.</summary>
    public bool ResendsLostConnections { get; }

    /// <summary>The gateways' deadline: one attempt in embedded mode, the unit of a session's patience.</summary>
    public TimeSpan RequestTimeout => Settings.RequestTimeout;

    /// <summary>The pause before resend number <paramref name="attempt"/>.</summary>
    public TimeSpan PauseBeforeResend(int attempt) => SpreadOverSilos ? ClusterResendPause : EmbeddedResendPause * attempt;

    /// <summary>
    /// Cluster mode, with a client that reports lost gateway connections (<see cref="GatewayLosses"/>): completes when
    /// it next loses one, which ends the attempts out at that moment. Null: an attempt ends only by its deadline.
    /// </summary>
    public Task? NextGatewayLoss => _losses?.Next;

    /// <summary>The deadline of one attempt; null: the gateway's own deadline.</summary>
    public TimeSpan? AttemptTimeout => Settings.AttemptTimeout;

    /// <summary>
    /// Where an attempt at <paramref name="group"/> goes, and its gateway key: the one gateway (embedded), or in cluster
    /// mode one that has reached the group's leader's silo (<see cref="GatewayMap"/>), else one at random; through that
    /// gateway's batcher, which sends it with the other requests ready at the same moment.
    /// </summary>
    public (GatewayBatcher Gateway, int Key) Gateway(string group)
    {
        var key = _map?.PickKey(group) ?? 0;
        return (GatewayBatcher.For(_grains.KvGateway(key), Settings.MaxRequestsInFlight), key);
    }

    /// <summary>What an attempt through gateway key <paramref name="key"/> came back with (an answer, or why there was none).</summary>
    public void Answered(int key, string group, KvResult result) => _map?.Learn(key, group, result);
}
