using System.Collections.Concurrent;
using System.Diagnostics;
using RaftOrleans.KeyValue.Sessions;
using RaftOrleans.Kv;

namespace RaftOrleans.KeyValue;

/// <summary>
/// <see cref="IKeyValueStore"/> over <see cref="KvSession"/>s: each operation borrows a session from a pool (a
/// <see cref="ConcurrentBag{T}"/>: no lock that all operations share), so concurrent operations never share a sequence, and returns
/// it when done. The pool grows to the most operations ever in flight at once; every session keeps its client id (its
/// sessions in the state machines) and renews it by itself (see <see cref="KvSession"/>).
/// <para>
/// The cluster's settings (groups, deadlines) are asked of a gateway at the first operation, unless the caller knew
/// them (the console reads them from raft.toml). Group views (<see cref="InGroup"/>) share the pool: a session numbers
/// each group's writes on its own.
/// </para>
/// </summary>
internal sealed class KeyValueStore : IKeyValueStore
{
    // Before the cluster's settings are known there is no request timeout to go by: each try at learning them waits
    // this long, under a fresh gateway key, until the operation's deadline.
    private static readonly TimeSpan SettingsAttempt = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan SettingsDeadline = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan SettingsPause = TimeSpan.FromMilliseconds(100);

    private readonly Shared _shared;
    private readonly string? _group;
    private GatewayRoute? _route;

    /// <summary>A store that learns the cluster's settings from a gateway at its first operation.</summary>
    public KeyValueStore(IGrainFactory grains, KeyValueClientOptions options)
        : this(new Shared(grains, root: null, options.Deadline), options.Group)
    {
        if (options.Deadline is { } deadline) CheckDeadline(deadline, $"{nameof(KeyValueClientOptions)}.{nameof(KeyValueClientOptions.Deadline)}");
    }

    /// <summary>A store over a route whose settings the caller knows (the console: from raft.toml).</summary>
    public KeyValueStore(GatewayRoute route, TimeSpan? deadline = null)
        : this(new Shared(grains: null, route, deadline), group: null)
    {
    }

    private KeyValueStore(Shared shared, string? group)
    {
        _shared = shared;
        _group = group;
    }

    public IKeyValueStore InGroup(string group)
    {
        ArgumentException.ThrowIfNullOrEmpty(group);
        return new KeyValueStore(_shared, group);
    }

    public async Task<PutResult> PutAsync(string key, string value, TimeSpan? deadline = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(value);
        var outcome = await SendAsync(KvOperation.Put, key, value, deadline, cancellationToken);
        return outcome.Result.Status switch
        {
            KvStatus.Ok => PutResult.Stored,
            KvStatus.KeyExists => PutResult.KeyExists,
            _ => throw Failure("put", key, outcome),
        };
    }

    public async Task<GetResult> GetAsync(string key, TimeSpan? deadline = null, CancellationToken cancellationToken = default)
    {
        var outcome = await SendAsync(KvOperation.Get, key, null, deadline, cancellationToken);
        return outcome.Result.Status switch
        {
            KvStatus.Ok => GetResult.Found(outcome.Result.Value ?? ""),
            KvStatus.NotFound => GetResult.NotFound,
            _ => throw Failure("get", key, outcome),
        };
    }

    public async Task<DeleteResult> DeleteAsync(string key, TimeSpan? deadline = null, CancellationToken cancellationToken = default)
    {
        var outcome = await SendAsync(KvOperation.Delete, key, null, deadline, cancellationToken);
        return outcome.Result.Status switch
        {
            KvStatus.Ok => DeleteResult.Deleted,
            KvStatus.NotFound => DeleteResult.NotFound,
            _ => throw Failure("delete", key, outcome),
        };
    }

    private async Task<RequestOutcome> SendAsync(KvOperation operation, string key, string? value, TimeSpan? deadline,
        CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (deadline is { } asked) CheckDeadline(asked, nameof(deadline));
        var started = Stopwatch.GetTimestamp();
        var route = Volatile.Read(ref _route) ?? await LearnRouteAsync(operation, key, deadline ?? _shared.Deadline ?? SettingsDeadline, cancellation);
        // One deadline for the whole call: what learning the settings took is gone from it.
        var patience = (deadline ?? _shared.Deadline ?? route.RequestTimeout * KvSession.DefaultAttempts) - Stopwatch.GetElapsedTime(started);
        if (patience <= TimeSpan.Zero)
        {
            throw new KeyValueUnavailableException(Name(operation), key, "the deadline passed while the cluster's settings were asked for",
                sends: 0, mayHaveTakenEffect: false);
        }
        var session = _shared.Rent(route, patience);
        try
        {
            return await session.SendAsync(route, operation, key, value, patience, cancellation);
        }
        finally
        {
            // Also after a cancellation: a request still travelling under the old sequence is either applied before
            // the session's next one or refused as older than it, never applied after it.
            _shared.Return(session);
        }
    }

    /// <summary>The longest deadline a call may ask for (the sessions cap resends at half a session lifetime anyway).</summary>
    internal static readonly TimeSpan MaxDeadline = TimeSpan.FromDays(1);

    internal static void CheckDeadline(TimeSpan deadline, string name)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(deadline, TimeSpan.Zero, name);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(deadline, MaxDeadline, name);
    }

    /// <summary>This view's route, from the cluster's settings (asked of a gateway at a store's first operation).</summary>
    private async Task<GatewayRoute> LearnRouteAsync(KvOperation operation, string key, TimeSpan budget, CancellationToken cancellation)
    {
        var root = await _shared.RouteAsync(Name(operation), key, budget, cancellation);
        if (_group is not null && root.UnknownGroup(_group) is { } unknown)
        {
            throw new KeyValueRequestRejectedException(Name(operation), key, unknown);
        }
        return _route = _group is null ? root : root.ForGroup(_group);
    }

    private static string Name(KvOperation operation) => operation.ToString().ToLowerInvariant();

    private static KeyValueStoreException Failure(string operation, string key, RequestOutcome outcome)
    {
        var result = outcome.Result;
        var reason = result.Status == KvStatus.SessionExpired
            ? $"its session expired between two sends, so whether the first took effect is unknown ({result.Reason})"
            : result.Reason ?? result.ToString();
        return result.Status == KvStatus.Invalid
            ? new KeyValueRequestRejectedException(operation, key, reason)
            : new KeyValueUnavailableException(operation, key, reason, outcome.Resends + 1, mayHaveTakenEffect: operation != "get");
    }

    /// <summary>What a store and its group views share: the sessions, the cluster's settings once learned.</summary>
    private sealed class Shared(IGrainFactory? grains, GatewayRoute? root, TimeSpan? deadline)
    {
        private readonly ConcurrentBag<KvSession> _sessions = [];
        private GatewayRoute? _root = root;

        public TimeSpan? Deadline { get; } = deadline;

        public KvSession Rent(GatewayRoute route, TimeSpan patience) =>
            _sessions.TryTake(out var session) ? session : new KvSession(route, patience);

        public void Return(KvSession session) => _sessions.Add(session);

        /// <summary>The route for every group, from the cluster's settings.</summary>
        /// <exception cref="KeyValueUnavailableException">No gateway told them within the operation's deadline.</exception>
        public async Task<GatewayRoute> RouteAsync(string operation, string key, TimeSpan budget, CancellationToken cancellation)
        {
            if (Volatile.Read(ref _root) is { } known) return known;
            var factory = grains ?? throw new InvalidOperationException("a store is built either over a route or over a grain factory");
            var clock = Stopwatch.StartNew();
            for (var tries = 1; ; tries++)
            {
                var left = budget - clock.Elapsed;
                try
                {
                    // Any gateway key: in cluster mode another key may reach another silo's gateway.
                    var gateway = factory.KvGateway(Random.Shared.Next(GatewayRoute.GatewayKeys));
                    var settings = await gateway.GetClientSettings().WaitAsync(left < SettingsAttempt ? left : SettingsAttempt, cancellation);
                    // Two first operations at once may both ask; either answer is the same cluster's.
                    var route = new GatewayRoute(factory, settings);
                    Volatile.Write(ref _root, route);
                    return route;
                }
                catch (Exception error) when (error is not OperationCanceledException || !cancellation.IsCancellationRequested)
                {
                    if (clock.Elapsed + SettingsPause >= budget)
                    {
                        throw new KeyValueUnavailableException(operation, key,
                            $"could not learn the cluster's groups from a gateway: {ConnectionErrors.FirstLine(error)}", tries, mayHaveTakenEffect: false);
                    }
                    await Task.Delay(SettingsPause, cancellation);
                }
            }
        }
    }
}
