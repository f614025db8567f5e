using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace RaftOrleans;

/// <summary>
/// The clock every Raft replica of this silo reads: real time, less the time the whole process was stalled. One timer
/// per silo beats every tick interval; a beat more than two intervals after the last means the process was starved (a
/// long GC pause, an overloaded machine), and the excess is not counted. Every node in the process stalled alike, so
/// counting it would only make all followers campaign at once against a leader that is fine (etcd drops the ticks its
/// loop missed for the same reason). The price: on a starved machine the Raft timers run slow, never fast.
/// <para>
/// Replicas wake only when their core has something due (<see cref="Raft.RaftNode.UntilNextTimer"/>), so their own
/// timers can no longer tell a stall from a quiet stretch: the silo's beat does, for all of them at once.
/// </para>
/// </summary>
public sealed partial class SiloClock : IDisposable
{
    private readonly Stopwatch _watch = Stopwatch.StartNew();
    private readonly TimeSpan _slack;
    private readonly TimeSpan _reportAbove;
    private readonly ILogger<SiloClock> _logger;
    private readonly Timer _beat;
    private readonly Lock _gate = new();
    private TimeSpan _lastBeat;
    private TimeSpan _stalled;

    public SiloClock(RaftClusterOptions options, ILogger<SiloClock> logger)
    {
        _slack = options.TickInterval * 2;
        _reportAbove = options.ElectionTimeoutMin / 2;
        _logger = logger;
        // A thread-pool timer on purpose: when the pool is starved (a silo starting up, blocking work), every grain's
        // turn waits, and so does this beat, so the time stands still for all of them alike, as the per-replica clamp
        // of missed ticks made it before. (A beat on a thread of its own was tried: it counted a starved pool as time
        // passed, followers timed out before their turns could see the leader's heartbeats, and a test saw the leader
        // change at start-up.) SuppressFlow: the first grain to need the clock creates it, and its execution context
        // (request context, activity) must not live on in the timer.
        using (ExecutionContext.SuppressFlow())
        {
            _beat = new Timer(_ => Beat(), null, options.TickInterval, options.TickInterval);
        }
    }

    /// <summary>Time since the silo started, stalls left out. Never goes back; stands still while a stall lasts.</summary>
    public TimeSpan Now
    {
        get
        {
            lock (_gate)
            {
                var now = _watch.Elapsed;
                // A stall the beat has not seen yet (this read may be the first thing to run after it) counts already.
                return now - _stalled - Excess(now);
            }
        }
    }

    private void Beat()
    {
        TimeSpan excess;
        lock (_gate)
        {
            var now = _watch.Elapsed;
            excess = Excess(now);
            _stalled += excess;
            _lastBeat = now;
        }
        if (excess > _reportAbove) LogStalled(excess.TotalMilliseconds);
    }

    private TimeSpan Excess(TimeSpan now)
    {
        var excess = now - _lastBeat - _slack;
        return excess > TimeSpan.Zero ? excess : TimeSpan.Zero;
    }

    public void Dispose() => _beat.Dispose();

    [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "the process was starved for {StalledMs:F0} ms (a long GC pause or an overloaded machine): the Raft timers of this silo leave it out, but other silos' do not; elections may follow")]
    private partial void LogStalled(double stalledMs);
}
