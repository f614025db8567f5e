using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using RaftOrleans.Kv;

namespace RaftOrleans.KeyValue.Sessions;

/// <summary>
/// Sends the requests that a client's sessions have ready at the same moment to one gateway grain in one call
/// (<see cref="IKvGatewayGrain.Batch"/>). Every call across processes costs a message each way, a wake-up of a thread
/// on each side and a turn of the gateway, whatever it carries; a store under many clients pays that per request
/// otherwise. Nothing waits to fill a batch: a request is sent with those that arrived before its send was scheduled
/// (one hop of the thread pool), so one client alone sees no delay, and many get their answers — which arrive together,
/// in the same commit — and send their next requests together.
/// <para>
/// Each request keeps its own fate: a failed call (a lost connection, Orleans' response timeout) fails every request
/// it carried, each of which its session then handles as it would its own failed call (it resends under the same id,
/// so it is applied at most once). The answers of a batch come back when its last request is answered, so a slow
/// request delays the answers of the others in its batch; under load they are answered in the same commit anyway.
/// </para>
/// </summary>
internal sealed class GatewayBatcher
{
    /// <summary>The most requests one call carries, unless the cluster's gateway.max_requests_in_flight is lower (<see cref="For"/>).</summary>
    public const int MaxRequests = 64;

    /// <summary>
    /// Beyond this many characters of keys and values a batch is sent as it is; a larger request goes alone. At most 3
    /// bytes a character in UTF-8: 768 KiB, within the 1 MiB a silo accepts beyond its largest Raft message
    /// (<c>RaftClusterOptions.MaxMessageBytes</c>), which a request alone always fits.
    /// </summary>
    public const int MaxChars = 256 * 1024;

    private static readonly ConditionalWeakTable<IKvGatewayGrain, GatewayBatcher> Batchers = new();

    private readonly Func<KvGroupRequest[], Task<KvResult[]>> _send;
    private readonly Action<GatewayBatcher> _schedule;
    private readonly int _maxRequests;
    private readonly ConcurrentQueue<Waiting> _ready = new();
    private int _flushScheduled;

    /// <param name="send">Makes the call.</param>
    /// <param name="schedule">Runs <see cref="Flush"/> later, on another turn (the thread pool; tests run it by hand).</param>
    /// <param name="maxRequestsInFlight">The cluster's gateway.max_requests_in_flight (0: none given): a batch of more would be refused whole.</param>
    public GatewayBatcher(Func<KvGroupRequest[], Task<KvResult[]>> send, Action<GatewayBatcher> schedule, int maxRequestsInFlight = 0)
    {
        _send = send;
        _schedule = schedule;
        _maxRequests = maxRequestsInFlight is > 0 and < MaxRequests ? maxRequestsInFlight : MaxRequests;
    }

    /// <summary>
    /// The batcher of <paramref name="gateway"/> (one per grain reference, which the client library makes once per key),
    /// for a cluster whose connections may have <paramref name="maxRequestsInFlight"/> requests out (as the first use says).
    /// </summary>
    public static GatewayBatcher For(IKvGatewayGrain gateway, int maxRequestsInFlight) =>
        Batchers.GetOrAdd(gateway, static (grain, max) => new GatewayBatcher(grain.Batch, OnThreadPool, max), maxRequestsInFlight);

    private static void OnThreadPool(GatewayBatcher batcher) =>
        ThreadPool.UnsafeQueueUserWorkItem(static b => b.Flush(), batcher, preferLocal: false);

    /// <summary>Sends <paramref name="request"/> with whatever else is ready; its answer, or the call's failure.</summary>
    public Task<KvResult> Send(KvRequest request, string group)
    {
        var waiting = new Waiting(new KvGroupRequest(request, group));
        _ready.Enqueue(waiting);
        if (Interlocked.Exchange(ref _flushScheduled, 1) == 0) _schedule(this);
        return waiting.Answer.Task;
    }

    /// <summary>Sends everything ready, in batches of at most <see cref="MaxRequests"/> requests (fewer if the cluster allows fewer in flight) and about <see cref="MaxChars"/>.</summary>
    public void Flush()
    {
        // Cleared before taking: a request enqueued from here on schedules another flush, so none is left behind.
        Volatile.Write(ref _flushScheduled, 0);
        var batch = new List<Waiting>(_maxRequests);
        var chars = 0;
        // Two flushes may run at once (one scheduled while another takes): each takes requests of its own.
        while (_ready.TryDequeue(out var next))
        {
            var size = next.Request.Request.Key.Length + (next.Request.Request.Value?.Length ?? 0);
            if (batch.Count == _maxRequests || (batch.Count > 0 && chars + size > MaxChars))
            {
                Dispatch(batch);
                batch = new List<Waiting>(_maxRequests);
                chars = 0;
            }
            batch.Add(next);
            chars += size;
        }
        if (batch.Count > 0) Dispatch(batch);
    }

    private void Dispatch(List<Waiting> batch)
    {
        var requests = new KvGroupRequest[batch.Count];
        for (var i = 0; i < requests.Length; i++) requests[i] = batch[i].Request;
        Task<KvResult[]> call;
        try
        {
            call = _send(requests);
        }
        catch (Exception error)
        {
            foreach (var waiting in batch) waiting.Answer.TrySetException(error);
            return;
        }
        call.ContinueWith(static (done, state) => Answer((List<Waiting>)state!, done), batch, CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private static void Answer(List<Waiting> batch, Task<KvResult[]> call)
    {
        if (call.IsCompletedSuccessfully && call.Result.Length == batch.Count)
        {
            for (var i = 0; i < batch.Count; i++) batch[i].Answer.TrySetResult(call.Result[i]);
            return;
        }
        Exception error = call switch
        {
            { IsFaulted: true } => call.Exception!.InnerException ?? call.Exception,
            { IsCanceled: true } => new TaskCanceledException(call),
            _ => new InvalidOperationException($"the gateway answered {call.Result.Length} requests of a batch of {batch.Count}"),
        };
        foreach (var waiting in batch) waiting.Answer.TrySetException(error);
    }

    private sealed class Waiting(KvGroupRequest request)
    {
        public KvGroupRequest Request { get; } = request;

        // Asynchronous continuations: the sessions answered by one call go on in parallel, not one after another
        // on the thread that received the answer.
        public TaskCompletionSource<KvResult> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
