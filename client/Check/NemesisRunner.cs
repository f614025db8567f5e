using System.Diagnostics;

namespace RaftOrleans.Client.Check;

/// <summary>
/// Injects faults while the clients run: a quiet spell, a fault held for a while, its heal; again, until the
/// run ends. With several nemeses (<c>--nemesis all</c>) each round takes them in a new random order. A run that
/// ends mid-fault heals it at once, so the cluster is whole when the final reads begin.
/// </summary>
internal sealed class NemesisRunner(IReadOnlyList<Nemesis> nemeses, Stopwatch clock, TextWriter log)
{
    private readonly List<NemesisKind> _injected = [];

    /// <summary>Every fault injected, in order.</summary>
    public IReadOnlyList<NemesisKind> Injected => _injected;

    /// <summary>The nemesis whose fault is in force (injected, not yet healed), if any: what to undo when a step fails.</summary>
    public Nemesis? Unhealed { get; private set; }

    public async Task RunAsync(CancellationToken stop)
    {
        if (nemeses.Count == 0) return;
        var random = new Random();
        var round = new Queue<Nemesis>();
        while (await WaitAsync(Between(random, 1, 3), stop))
        {
            if (round.Count == 0)
                foreach (var next in nemeses.OrderBy(_ => random.Next())) round.Enqueue(next);
            var nemesis = round.Dequeue();
            nemesis.Aim(random);
            Log(nemesis.Label + await nemesis.InjectAsync(random)); // a step that throws has not injected its fault
            Unhealed = nemesis;
            _injected.Add(nemesis.Kind);
            await WaitAsync(nemesis.Hold(random), stop); // the end of the run cuts a fault short
            Log(nemesis.Label + await nemesis.HealAsync());
            Unhealed = null;
        }
    }

    private void Log(string what) => log.WriteLine($"{clock.Elapsed.TotalSeconds,7:F1} s  nemesis: {what}");

    private static TimeSpan Between(Random random, double leastSeconds, double mostSeconds) =>
        TimeSpan.FromSeconds(leastSeconds + (mostSeconds - leastSeconds) * random.NextDouble());

    /// <summary>Waits <paramref name="time"/> or until the run ends; false if it has ended.</summary>
    private static async Task<bool> WaitAsync(TimeSpan time, CancellationToken stop)
    {
        try
        {
            await Task.Delay(time, stop);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
