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
/// timers can no longer tell a stall from a quiet stretch: the silo's beat does, for all of them at once. While every
/// replica of the silo is quiesced (<see cref="RelaxWhile"/>), it beats once per heartbeat interval instead: idle
/// groups cost next to nothing (<see cref="StallClock"/> holds the arithmetic).
/// </para>
/// </summary>
public sealed partial class SiloClock : IDisposable
{
    private readonly Stopwatch _watch = Stopwatch.StartNew();
    private readonly StallClock _stalls;
    private readonly TimeSpan _reportAbove;
    private readonly ILogger<SiloClock> _logger;
    private readonly Timer _beat;
    private readonly Lock _gate = new();
    private Func<bool> _relax = static () => false;
    private bool _disposed; // under _gate: a late beat must not change a disposed timer (its exception would end the process)

    public SiloClock(RaftClusterOptions options, ILogger<SiloClock> logger)
    {
        _stalls = new StallClock(options.TickInterval, options.HeartbeatInterval);
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
            // A stall the beat has not seen yet (this read may be the first thing to run after it) counts already.
            lock (_gate) return _stalls.Now(_watch.Elapsed);
        }
    }

    /// <summary>The pace the clock beats at now: the tick interval, or the heartbeat interval while every replica here is quiesced.</summary>
    public TimeSpan Interval
    {
        get { lock (_gate) return _stalls.Interval; }
    }

    /// <summary>
    /// Beat at the relaxed pace while <paramref name="relax"/> says every replica of the silo is quiesced (the silo
    /// heartbeats' <c>AllQuiesced</c>). Asked at each beat, outside this clock's lock: it may take locks that read this clock.
    /// </summary>
    public void RelaxWhile(Func<bool> relax) => _relax = relax;

    private void Beat()
    {
        var relax = _relax();
        TimeSpan excess;
        lock (_gate)
        {
            if (_disposed) return;
            var before = _stalls.Interval;
            excess = _stalls.Beat(_watch.Elapsed, relax);
            // Under the lock: two late beats running at once must not leave the timer at a pace the arithmetic is not
            // at (beats slower than it expects would each count as a stall).
            if (_stalls.Interval != before) _beat.Change(_stalls.Interval, _stalls.Interval);
        }
        if (excess > _reportAbove) LogStalled(excess.TotalMilliseconds);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _beat.Dispose();
        }
    }

    [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "the process was starved for {StalledMs:F0} ms (a long GC pause or an overloaded machine): the Raft timers of this silo leave it out, but other silos' do not; elections may follow")]
    private partial void LogStalled(double stalledMs);
}
