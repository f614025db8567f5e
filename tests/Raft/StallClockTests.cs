using Xunit;

namespace RaftOrleans.Tests.Raft;

/// <summary>
/// The silo clock's arithmetic (<see cref="StallClock"/>): time is real time less the stalls, a stall is whatever a beat
/// comes later than two intervals, and the interval is the tick while any replica runs timers and the relaxed one while
/// all are quiesced. A change of pace must never look like a stall, and a stall must count at either pace.
/// </summary>
public sealed class StallClockTests
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan Relaxed = TimeSpan.FromMilliseconds(50);

    private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);

    [Theory]
    [InlineData(false, 10)] // the tick
    [InlineData(true, 50)] // the relaxed pace: its longer interval is no stall
    public void BeatsOnTimeLoseNoTimeAtEitherPace(bool relax, int interval)
    {
        var clock = new StallClock(Tick, Relaxed);
        clock.Beat(Ms(10), relax);
        Assert.Equal(Ms(interval), clock.Interval);
        for (var t = 10 + interval; t <= 1010; t += interval) Assert.Equal(TimeSpan.Zero, clock.Beat(Ms(t), relax));
        Assert.Equal(Ms(1010 + interval / 2.0), clock.Now(Ms(1010 + interval / 2.0)));
    }

    [Fact]
    public void ALateBeatLeavesOutWhatWentBeyondTwoIntervals()
    {
        var clock = new StallClock(Tick, Relaxed);
        clock.Beat(Ms(10), relax: false);

        // While the stall lasts, the time stands still two intervals after the last beat...
        Assert.Equal(Ms(30), clock.Now(Ms(60)));
        Assert.Equal(Ms(30), clock.Now(Ms(210)));
        // ...the late beat ends it, and the time goes on from there.
        Assert.Equal(Ms(180), clock.Beat(Ms(210), relax: false));
        Assert.Equal(Ms(30), clock.Now(Ms(210)));
        Assert.Equal(Ms(35), clock.Now(Ms(215)));
    }

    [Fact]
    public void AStallAtTheRelaxedPaceCountsBeyondTwoRelaxedIntervals()
    {
        var clock = new StallClock(Tick, Relaxed);
        clock.Beat(Ms(10), relax: true);

        Assert.Equal(Ms(150), clock.Beat(Ms(260), relax: true));
        Assert.Equal(Ms(110), clock.Now(Ms(260)));
    }

    [Fact]
    public void AtTheRelaxedPaceABeatLateByAnIntervalIsNoStallButLaterIs()
    {
        var clock = new StallClock(Tick, Relaxed);
        clock.Beat(Ms(10), relax: true);
        Assert.Equal(TimeSpan.Zero, clock.Beat(Ms(110), relax: true)); // two relaxed intervals: the slack
        Assert.Equal(Ms(10), clock.Beat(Ms(220), relax: true));
    }

    [Fact]
    public void WakingFromTheRelaxedPaceIsNoStallAndTheTickIntervalHoldsFromTheNextBeat()
    {
        var clock = new StallClock(Tick, Relaxed);
        clock.Beat(Ms(10), relax: true);

        // A replica woke: the beat that sees it came a relaxed interval after the last one, as it should.
        Assert.Equal(TimeSpan.Zero, clock.Beat(Ms(60), relax: false));
        Assert.Equal(Tick, clock.Interval);
        // From then on, a gap of 50 ms is 30 ms of stall.
        Assert.Equal(Ms(30), clock.Beat(Ms(110), relax: false));
    }

    [Fact]
    public void TheTimeNeverGoesBackAcrossStallsAndChangesOfPace()
    {
        var clock = new StallClock(Tick, Relaxed);
        var random = new Random(7);
        var real = TimeSpan.Zero;
        var last = TimeSpan.Zero;
        for (var i = 0; i < 10_000; i++)
        {
            real += Ms(random.Next(0, 120));
            var now = clock.Now(real);
            Assert.True(now >= last, $"step {i}: {now} after {last}");
            last = now;
            if (random.Next(3) > 0)
            {
                clock.Beat(real, relax: random.Next(2) == 0);
                Assert.True(clock.Now(real) >= last, $"step {i}: the beat took the time back");
                last = clock.Now(real);
            }
            Assert.True(last <= real);
        }
    }

    [Fact]
    public void ARelaxedIntervalNoLongerThanTheTickIsTheTick()
    {
        var clock = new StallClock(Tick, Ms(5));
        clock.Beat(Ms(10), relax: true);
        Assert.Equal(Tick, clock.Interval);
    }
}
