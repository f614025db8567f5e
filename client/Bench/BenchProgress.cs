using System.Diagnostics;
using System.Globalization;

namespace RaftOrleans.Client.Bench;

/// <summary>
/// Once a second, what the run has done so far: the warm-up's rate, then the measured requests and their
/// rate. It only reads the clients' counters, so watching costs them nothing. The lines fall half a second
/// into each second of the schedule, so none lands on the boundary between warm-up and measurement.
/// </summary>
internal static class BenchProgress
{
    public static async Task RunAsync(ProgressLine line, BenchSchedule schedule, IReadOnlyList<BenchClient> clients, CancellationToken stop)
    {
        long lastAnswered = 0;
        var lastAt = schedule.Start;
        try
        {
            for (var tick = 0.5; ; tick++)
            {
                var due = schedule.Start + (long)(tick * Stopwatch.Frequency);
                var wait = BenchSchedule.Seconds(due - Stopwatch.GetTimestamp());
                if (wait > 0)
                {
                    await Task.Delay(TimeSpan.FromSeconds(wait), stop);
                }
                var now = Stopwatch.GetTimestamp();
                if (now >= schedule.End)
                {
                    // Only the requests still in flight are left; the result follows.
                    return;
                }
                if (now < schedule.MeasureStart)
                {
                    var answered = clients.Sum(client => client.Answered);
                    var rate = (answered - lastAnswered) / BenchSchedule.Seconds(now - lastAt);
                    line.Show(string.Create(CultureInfo.InvariantCulture, $"  warm-up: {rate:N0} ops/s"));
                    (lastAnswered, lastAt) = (answered, now);
                    continue;
                }
                var measured = clients.Sum(client => client.Measured);
                var seconds = BenchSchedule.Seconds(now - schedule.MeasureStart);
                var total = BenchSchedule.Seconds(schedule.End - schedule.MeasureStart);
                line.Show(string.Create(CultureInfo.InvariantCulture,
                    $"  {seconds,4:F1} of {total:F0} s: {measured:N0} requests, {measured / seconds:N0} ops/s"));
            }
        }
        catch (OperationCanceledException)
        {
            // The run ended early (a lost silo).
        }
    }
}
