using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace RaftOrleans.Client.Bench;

/// <summary>
/// Once a second, what the run has done so far: the warm-up's rate, then the measured requests and their
/// rate. It only reads the clients' counters, so watching costs them nothing. The lines fall half a second
/// into each second of the schedule, so none lands on the boundary between warm-up and measurement. On a terminal
/// it is a live progress bar of the measured phase (Spectre.Console), cleared when the run ends; into a file or a
/// pipe, one plain line a second.
/// </summary>
internal static class BenchProgress
{
    public static async Task RunAsync(ProgressLine line, BenchSchedule schedule, IReadOnlyList<BenchClient> clients, CancellationToken stop)
    {
        if (!line.InPlace)
        {
            await ReportAsync((text, _) => line.Show(text), schedule, clients, stop);
            return;
        }
        line.Finish(); // what it showed last stays, on a line of its own
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(line.Output) });
        await console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn())
            .StartAsync(async progress =>
            {
                var bar = progress.AddTask("  warm-up", maxValue: 1);
                await ReportAsync((text, done) =>
                {
                    bar.Description = Markup.Escape(text);
                    bar.Value = done;
                }, schedule, clients, stop);
            });
    }

    /// <summary>Calls <paramref name="show"/> once a second with the line and the measured share done (0 during the warm-up).</summary>
    private static async Task ReportAsync(Action<string, double> show, BenchSchedule schedule, IReadOnlyList<BenchClient> clients, CancellationToken stop)
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
                    show(string.Create(CultureInfo.InvariantCulture, $"  warm-up: {rate:N0} ops/s"), 0);
                    (lastAnswered, lastAt) = (answered, now);
                    continue;
                }
                var measured = clients.Sum(client => client.Measured);
                var seconds = BenchSchedule.Seconds(now - schedule.MeasureStart);
                var total = BenchSchedule.Seconds(schedule.End - schedule.MeasureStart);
                show(string.Create(CultureInfo.InvariantCulture,
                    $"  {seconds,4:F1} of {total:F0} s: {measured:N0} requests, {measured / seconds:N0} ops/s"), Math.Min(1, seconds / total));
            }
        }
        catch (OperationCanceledException)
        {
            // The run ended early (a lost silo).
        }
    }
}
