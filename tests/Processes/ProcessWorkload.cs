using System.Collections.Concurrent;
using System.Diagnostics;
using RaftOrleans.KeyValue.Sessions;
using RaftOrleans.Kv;

namespace RaftOrleans.Tests.Processes;

/// <summary>
/// Writers that put unique keys, one request at a time each, through the console's own sessions (resends with the
/// same request id until the session's attempts run out), while a test hurts the cluster. A unique key can only
/// answer KeyExists if one request took effect twice; that is recorded as a violation.
/// </summary>
internal sealed class ProcessWorkload
{
    // 15 gateway deadlines of resending: a write rides out any failover of these tests.
    private const int Attempts = 15;

    private readonly ConcurrentQueue<Acknowledged> _acknowledged = new();
    private readonly ConcurrentQueue<string> _violations = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _writers;
    private int _unknown;

    private ProcessWorkload(GatewayRoute route, int writers)
    {
        Clock = Stopwatch.StartNew();
        _writers = Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(() => WriteAsync(route, w))));
    }

    public Stopwatch Clock { get; }

    public IReadOnlyCollection<Acknowledged> AcknowledgedWrites => _acknowledged;

    public IReadOnlyCollection<string> Violations => _violations;

    /// <summary>Writes that got no definite answer: each may have taken effect once, or not at all.</summary>
    public int Unknown => Volatile.Read(ref _unknown);

    public static ProcessWorkload Start(GatewayRoute route, int writers) => new(route, writers);

    public int AcknowledgedSince(TimeSpan since) => _acknowledged.Count(a => a.At >= since);

    /// <summary>Until <paramref name="count"/> writes were acknowledged after <paramref name="since"/> (on <see cref="Clock"/>).</summary>
    public async Task WaitForAcknowledgedAsync(int count, TimeSpan since, TimeSpan deadline, string what)
    {
        var clock = Stopwatch.StartNew();
        while (AcknowledgedSince(since) < count)
        {
            if (_writers.IsFaulted) await _writers;
            if (clock.Elapsed > deadline)
                throw new TimeoutException($"{what}: {AcknowledgedSince(since)} of {count} writes acknowledged within {deadline.TotalSeconds:F0} s " +
                                           $"({Unknown} without an answer, violations: {string.Join("; ", _violations)})");
            await Task.Delay(20);
        }
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _writers;
    }

    private async Task WriteAsync(GatewayRoute route, int writer)
    {
        var session = new KvSession(route, Attempts);
        for (var i = 0; !_stop.IsCancellationRequested; i++)
        {
            var key = $"w{writer}-{i}";
            var value = $"{session.ClientId:N}-{i}";
            var outcome = await session.PutAsync(key, value);
            switch (outcome.Result.Status)
            {
                case KvStatus.Ok: _acknowledged.Enqueue(new Acknowledged(key, value, Clock.Elapsed)); break;
                case KvStatus.KeyExists: _violations.Enqueue($"put {key} answered KeyExists: the request took effect twice"); break;
                case KvStatus.Unavailable or KvStatus.NotLeader: Interlocked.Increment(ref _unknown); break;
                default: _violations.Enqueue($"put {key} answered {outcome.Result}"); break;
            }
        }
    }

    internal sealed record Acknowledged(string Key, string Value, TimeSpan At);
}
