using System.Diagnostics;
using RaftOrleans.Client.Connection;
using RaftOrleans.Kv;

namespace RaftOrleans.Client.Kv;

/// <summary>
/// One logical client of the store: a random client id and, for each group it writes to, a sequence number that grows
/// by one per new write (put, delete) to that group (each group's state machine keeps the client's session there). A request that comes back without a definitive answer is resent with the same sequence, so
/// the state machine's session record makes it take effect at most once however often it travels. Gets do not
/// enter the log and take no number of their own (they carry the next write's). Like the contract it follows, a
/// session sends one request at a time: use one per concurrent client.
/// <para>
/// A session idle for longer than gateway.session_lifetime_ms expires in the state machine; a request then answers
/// SessionExpired and this session takes a new client id. When that was the request's first send, nothing of it was
/// applied, so it goes out again under the new id at once; after earlier sends it may have taken effect, so the
/// answer is returned (the outcome is unknown) rather than risk applying it twice.
/// </para>
/// </summary>
internal sealed class KvSession
{
    /// <summary>One send and two resends. Each waits up to gateway.request_timeout_ms, which covers a failover.</summary>
    public const int DefaultAttempts = 3;

    /// <summary>For a command a person waits on: one resend, so a cluster without a majority answers within two deadlines.</summary>
    public const int InteractiveAttempts = 2;

    private readonly GatewayRoute _route;
    private readonly int _deadlines;
    private readonly Dictionary<string, long> _lastSequence = new(StringComparer.Ordinal);

    /// <param name="attempts">In gateway deadlines: cluster mode makes more, shorter attempts in the same time (<see cref="GatewayRoute"/>).</param>
    public KvSession(GatewayRoute route, int attempts = DefaultAttempts)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempts, 1);
        _route = route;
        _deadlines = attempts;
    }

    public Guid ClientId { get; private set; } = Guid.NewGuid();

    public Task<RequestOutcome> PutAsync(string key, string value) => SendAsync(Next(KvOperation.Put, key, value));

    public Task<RequestOutcome> GetAsync(string key) => SendAsync(Next(KvOperation.Get, key));

    public Task<RequestOutcome> DeleteAsync(string key) => SendAsync(Next(KvOperation.Delete, key));

    private KvRequest Next(KvOperation operation, string key, string? value = null)
    {
        var group = _route.GroupOf(key);
        var last = _lastSequence.GetValueOrDefault(group);
        if (operation != KvOperation.Get) _lastSequence[group] = ++last;
        return new(ClientId, operation == KvOperation.Get ? last + 1 : last, operation, key, value);
    }

    private async Task<RequestOutcome> SendAsync(KvRequest request)
    {
        var clock = Stopwatch.StartNew();
        var group = _route.GroupOf(request.Key);
        for (var attempt = 1; ; attempt++)
        {
            var result = await SendOnceAsync(request, group);
            if (result.Status == KvStatus.SessionExpired)
            {
                // A new client id starts new sessions in every group (the old ones expire on their own).
                ClientId = Guid.NewGuid();
                _lastSequence.Clear();
                if (attempt > 1) return new RequestOutcome(request, result, Resends: attempt - 1);
                request = Next(request.Operation, request.Key, request.Value);
                continue;
            }
            var worthResending = result.Status is KvStatus.Unavailable or KvStatus.NotLeader;
            if (!worthResending || !_route.MayResend(_deadlines, attempt, clock.Elapsed))
            {
                return new RequestOutcome(request, result, Resends: attempt - 1);
            }
            await Task.Delay(_route.PauseBeforeResend(attempt));
        }
    }

    /// <summary>
    /// One trip to the gateway. In embedded mode a lost silo is thrown on (nothing to retry against); anything
    /// else becomes an Unavailable answer, because the request may or may not have reached the log and only a
    /// resend under the same id can settle which, safely.
    /// </summary>
    private async Task<KvResult> SendOnceAsync(KvRequest request, string group)
    {
        try
        {
            var call = Call(_route.Gateway(), request, group);
            // Cluster mode: a request lost with a killed silo's gateway gets no error; the attempt's deadline ends it.
            // (A hedged second attempt after 150 ms was tried: under load it hedged the slowest requests, each hedge
            // one more proposal to replicate, and throughput fell by a third; BENCHMARKS.md.)
            return _route.AttemptTimeout is { } timeout ? await call.WaitAsync(timeout) : await call;
        }
        catch (Exception error) when (_route.SpreadOverSilos && ConnectionErrors.IsLostConnection(error))
        {
            return KvResult.Unavailable($"lost the connection to a gateway: {ConnectionErrors.FirstLine(error)}");
        }
        catch (TimeoutException error)
        {
            return KvResult.Unavailable($"no answer from the gateway: {ConnectionErrors.FirstLine(error)}");
        }
        catch (Exception error) when (!ConnectionErrors.IsLostConnection(error))
        {
            return KvResult.Unavailable($"the gateway failed: {error.GetType().Name}: {ConnectionErrors.FirstLine(error)}");
        }
    }

    private static Task<KvResult> Call(IKvGatewayGrain gateway, KvRequest request, string group) => request.Operation switch
    {
        KvOperation.Put => gateway.Put(request.ClientId, request.Sequence, request.Key, request.Value ?? "", group),
        KvOperation.Get => gateway.Get(request.ClientId, request.Sequence, request.Key, group),
        KvOperation.Delete => gateway.Delete(request.ClientId, request.Sequence, request.Key, group),
        _ => throw new ArgumentOutOfRangeException(nameof(request), request.Operation, "unknown operation"),
    };
}
