namespace RaftOrleans.Tests.Simulation;

/// <summary>
/// Virtual time. Events run in (time, scheduling order) order, so two events at the same instant always run
/// in the same order and a seed replays exactly; nothing here looks at the real clock.
/// </summary>
internal sealed class EventQueue
{
    private readonly PriorityQueue<Action, (TimeSpan At, long Order)> _events = new();
    private long _order;

    public TimeSpan Now { get; private set; }

    public long Processed { get; private set; }

    public void At(TimeSpan time, Action action)
    {
        if (time < Now) throw new InvalidOperationException($"event scheduled in the past ({time} < {Now})");
        _events.Enqueue(action, (time, _order++));
    }

    public void After(TimeSpan delay, Action action) => At(Now + delay, action);

    /// <summary>Runs the earliest event due by <paramref name="until"/>; if none is, moves the clock to it and returns false.</summary>
    public bool RunNext(TimeSpan until)
    {
        if (!_events.TryPeek(out _, out var key) || key.At > until)
        {
            Now = until;
            return false;
        }
        var action = _events.Dequeue();
        Now = key.At;
        Processed++;
        action();
        return true;
    }
}
