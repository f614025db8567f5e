namespace RaftOrleans;

/// <summary>
/// The arithmetic of <see cref="SiloClock"/>, free of timers and of the real clock so tests can drive it: the time is
/// the real time less every stall, and a stall is whatever a beat arrives later than two of its intervals. The
/// interval is the tick interval while any replica of the silo runs its timers, and the longer relaxed one while
/// every replica is quiesced (nothing then depends on a short timer: the silo heartbeat's silence of an election
/// timeout is the shortest deadline left), so a silo of idle groups is not woken a hundred times a second.
/// Not thread-safe: <see cref="SiloClock"/> holds a lock around it.
/// </summary>
public sealed class StallClock(TimeSpan tick, TimeSpan relaxed)
{
    private readonly TimeSpan _tick = tick;
    private readonly TimeSpan _relaxed = relaxed > tick ? relaxed : tick;
    private TimeSpan _lastBeat;
    private TimeSpan _stalled;

    /// <summary>How long until the next beat is due, as the last beat set it.</summary>
    public TimeSpan Interval { get; private set; } = tick;

    /// <summary>The time at real time <paramref name="real"/> (never earlier than the last beat): stalls left out, including one still going on.</summary>
    public TimeSpan Now(TimeSpan real) => real - _stalled - Excess(real);

    /// <summary>
    /// A beat at real time <paramref name="real"/>; <paramref name="relax"/>: every replica is quiesced, the next beat
    /// may come after the relaxed interval. Returns the stall this beat ended (zero if none).
    /// </summary>
    public TimeSpan Beat(TimeSpan real, bool relax)
    {
        var excess = Excess(real);
        _stalled += excess;
        _lastBeat = real;
        // The slack for the gap from here is set by the interval chosen now, so a change of pace is never a stall.
        Interval = relax ? _relaxed : _tick;
        return excess;
    }

    /// <summary>
    /// Two intervals at either pace. At the relaxed pace that hides a stall of up to 100 ms (by default), most of the
    /// silence that wakes quiesced groups; a tighter slack (an interval and a tick) was tried, and on a busy machine
    /// the relaxed thread-pool timer's own lateness then counted as stalls and held the clock back, which delayed the
    /// failover of quiesced groups. A stall mistaken for a silence costs a pre-vote, refused where the leader is heard.
    /// </summary>
    private TimeSpan Excess(TimeSpan real)
    {
        var excess = real - _lastBeat - Interval * 2;
        return excess > TimeSpan.Zero ? excess : TimeSpan.Zero;
    }
}
