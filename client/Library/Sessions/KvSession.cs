using System.Diagnostics;
using RaftOrleans.Kv;

namespace RaftOrleans.KeyValue.Sessions;

/// <summary>
/// One logical client of the store: a random client id and, for each group it writes to, a sequence number that grows
/// by one per new write (put, delete) to that group (each group's state machine keeps the client's session there). A
/// request that comes back without a definitive answer is resent with the same sequence until its deadline, so the
/// state machine's session record makes it take effect at most once however often it travels. Gets do not enter the
/// log and take no number of their own (they carry the next write's). Like the contract it follows, a session sends
/// one request at a time: use one per concurrent client (<see cref="KeyValueStore"/> keeps a pool of them).
/// <para>
/// Sessions expire in the state machine after gateway.session_lifetime_ms without a write, in each group on its own.
/// This one renews itself: a write to a group whose last answered write is more than half a lifetime old starts a new
/// client id first (a new session in every group), and no request is resent longer than half a lifetime after its
/// first send, so no request of it can meet its own session expired. (A resend after expiry would be taken for a new
/// first write: a write #1 applied, its answer lost, could be applied again.) Should one still answer SessionExpired (a
/// write to a group whose earlier writes all went unanswered, or a leader's clock far ahead), it takes a new client
/// id: when that was the request's first send, nothing of it was applied, so it goes out again under the new id at
/// once; after earlier sends it may have taken effect, so the answer is returned (the outcome is unknown) rather than
/// risk applying it twice.
/// </para>
/// </summary>
internal sealed class KvSession
{
    /// <summary>One send and two resends in embedded mode: three gateway deadlines of patience, which covers a failover.</summary>
    public const int DefaultAttempts = 3;

    /// <summary>For a command a person waits on: two deadlines, so a cluster without a majority answers soon.</summary>
    public const int InteractiveAttempts = 2;

    private readonly GatewayRoute _route;
    private readonly TimeSpan _deadline;
    private readonly Dictionary<string, long> _lastSequence = new(StringComparer.Ordinal);
    // Per group: when the latest write the group answered was first sent (Stopwatch timestamp). Its session there was
    // active at that moment or later, so it lives at least a lifetime from then.
    private readonly Dictionary<string, long> _answeredAt = new(StringComparer.Ordinal);

    /// <param name="attempts">Patience in gateway deadlines (gateway.request_timeout_ms): in embedded mode that many
    /// attempts, in cluster mode as many shorter ones as fit in that time.</param>
    public KvSession(GatewayRoute route, int attempts = DefaultAttempts)
        : this(route, route.RequestTimeout * attempts)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempts, 1);
    }

    /// <param name="deadline">How long one request may take, its resends included. (A session the client library
    /// pools is given the deadline and route of each call instead: <see cref="SendAsync"/>.)</param>
    public KvSession(GatewayRoute route, TimeSpan deadline)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(deadline, TimeSpan.Zero);
        _route = route;
        _deadline = deadline;
    }

    public Guid ClientId { get; private set; } = Guid.NewGuid();

    public Task<RequestOutcome> PutAsync(string key, string value, CancellationToken cancellation = default) =>
        SendAsync(_route, KvOperation.Put, key, value, _deadline, cancellation);

    public Task<RequestOutcome> GetAsync(string key, CancellationToken cancellation = default) =>
        SendAsync(_route, KvOperation.Get, key, null, _deadline, cancellation);

    public Task<RequestOutcome> DeleteAsync(string key, CancellationToken cancellation = default) =>
        SendAsync(_route, KvOperation.Delete, key, null, _deadline, cancellation);

    /// <summary>
    /// Sends one request through <paramref name="route"/> (this session's, or one for a named group) and resends it
    /// with the same id until it has a definitive answer or <paramref name="deadline"/> has passed (at most half a
    /// session lifetime: see the class comment).
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> fired: the request may still take effect once.</exception>
    public async Task<RequestOutcome> SendAsync(GatewayRoute route, KvOperation operation, string key, string? value,
        TimeSpan deadline, CancellationToken cancellation)
    {
        cancellation.ThrowIfCancellationRequested();
        var halfLifetime = route.Settings.SessionLifetime / 2;
        if (deadline > halfLifetime) deadline = halfLifetime;
        var started = Stopwatch.GetTimestamp();
        var group = route.GroupOf(key);
        var request = Next(route, group, operation, key, value);
        var firstSent = started;
        for (var attempt = 1; ; attempt++)
        {
            var result = await SendOnceAsync(route, request, group, deadline - Stopwatch.GetElapsedTime(started), cancellation);
            if (result.Status == KvStatus.SessionExpired)
            {
                Renew();
                if (attempt > 1) return new RequestOutcome(request, result, Resends: attempt - 1);
                request = Next(route, group, operation, key, value);
                firstSent = Stopwatch.GetTimestamp();
                continue;
            }
            if (result.IsDefinitive && operation != KvOperation.Get) _answeredAt[group] = firstSent;
            var worthResending = result.Status is KvStatus.Unavailable or KvStatus.NotLeader;
            var pause = route.PauseBeforeResend(attempt);
            if (!worthResending || Stopwatch.GetElapsedTime(started) + pause >= deadline)
            {
                return new RequestOutcome(request, result, Resends: attempt - 1);
            }
            await Task.Delay(pause, cancellation);
        }
    }

    private KvRequest Next(GatewayRoute route, string group, KvOperation operation, string key, string? value)
    {
        if (operation == KvOperation.Get)
        {
            return new(ClientId, _lastSequence.GetValueOrDefault(group) + 1, operation, key, value);
        }
        if (_answeredAt.TryGetValue(group, out var answered) && Stopwatch.GetElapsedTime(answered) > route.Settings.SessionLifetime / 2) Renew();
        var sequence = _lastSequence.GetValueOrDefault(group) + 1;
        _lastSequence[group] = sequence;
        return new(ClientId, sequence, operation, key, value);
    }

    /// <summary>A new client id starts new sessions in every group (the old ones expire on their own).</summary>
    private void Renew()
    {
        ClientId = Guid.NewGuid();
        _lastSequence.Clear();
        _answeredAt.Clear();
    }

    /// <summary>
    /// One trip to the gateway, waiting at most <paramref name="left"/> (and, in cluster mode, one attempt's timeout).
    /// A lost connection the route does not resend is thrown on; anything else becomes an Unavailable answer, because
    /// the request may or may not have reached the log and only a resend under the same id can settle which, safely.
    /// </summary>
    private static async Task<KvResult> SendOnceAsync(GatewayRoute route, KvRequest request, string group, TimeSpan left,
        CancellationToken cancellation)
    {
        if (left <= TimeSpan.Zero) return KvResult.Unavailable("the deadline passed before the request could be sent");
        var (gateway, key) = route.Gateway(group);
        var result = await AttemptAsync(route, gateway, request, group, left, cancellation);
        route.Answered(key, group, result);
        return result;
    }

    private static async Task<KvResult> AttemptAsync(GatewayRoute route, GatewayBatcher gateway, KvRequest request, string group,
        TimeSpan left, CancellationToken cancellation)
    {
        // Cluster mode: a request lost with a killed silo's gateway gets no error; the client's loss of that connection
        // (GatewayLosses), or else the attempt's deadline, ends it.
        // (A hedged second attempt after 150 ms was tried: under load it hedged the slowest requests, each hedge
        // one more proposal to replicate, and throughput fell by a third; BENCHMARKS.md.)
        var wait = route.AttemptTimeout is { } attempt && attempt < left ? attempt : left;
        var lost = route.NextGatewayLoss; // read before sending: only a loss after that can have taken this attempt
        try
        {
            var call = gateway.Send(request, group);
            if (lost is not null && await Task.WhenAny(call, lost).WaitAsync(wait, cancellation) != call)
            {
                // Left to Orleans' response timeout; its failure then is nobody's news.
                _ = call.ContinueWith(static abandoned => abandoned.Exception, CancellationToken.None,
                    TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                return KvResult.Unavailable("the client lost a gateway connection while the request was out (it may have gone with it)");
            }
            return await call.WaitAsync(wait, cancellation);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            throw;
        }
        catch (TimeoutException)
        {
            return KvResult.Unavailable($"no answer from the gateway within {wait.TotalMilliseconds:F0} ms");
        }
        catch (Exception error) when (ConnectionErrors.IsLostConnection(error))
        {
            if (!route.ResendsLostConnections) throw;
            return KvResult.Unavailable($"lost the connection to a gateway: {ConnectionErrors.FirstLine(error)}");
        }
        catch (Exception error)
        {
            return KvResult.Unavailable($"the gateway failed: {error.GetType().Name}: {ConnectionErrors.FirstLine(error)}");
        }
    }
}
