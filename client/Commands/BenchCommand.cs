using System.Diagnostics;
using RaftOrleans.Client.Bench;

namespace RaftOrleans.Client.Commands;

/// <summary>
/// `bench`: throughput and latency under a closed-loop load, measured the way the etcd loader in
/// ../shared/etcd-compare measures etcd, so that the two figures can stand side by side. The key pool is
/// prepared first, then every client runs through the warm-up and the measured phase without pause (the
/// warm-up is load like the rest, only not counted), and the result is printed as text or one JSON object.
/// </summary>
internal sealed class BenchCommand(BenchOptions options) : IClientCommand
{
    public async Task<int> RunAsync(CommandContext context)
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        // With --json, stdout carries the one object and nothing else.
        var progressOut = options.Json ? context.Error : context.Out;
        var line = new ProgressLine(progressOut, options.Json ? !Console.IsErrorRedirected : !Console.IsOutputRedirected);
        var value = new string('v', options.ValueSize);

        if (options.Mix != BenchMix.Put)
        {
            line.Show($"bench {run}: preparing {options.Keys} keys for mix {options.MixName}");
            var failure = await KeyPoolPreparer.PrepareAsync(context.Route, options.Mix, options.Keys, value, options.Clients);
            if (failure is not null)
            {
                line.Finish();
                context.Error.WriteLine($"cluster unavailable: {failure}");
                return ExitCodes.Unavailable;
            }
        }
        line.Show($"bench {run}: {options.Clients} clients, mix {options.MixName}, {options.Warmup} s warm-up, {options.Seconds} s measured");

        var workload = new BenchWorkload(options.Mix, options.Keys, run);
        var clients = Enumerable.Range(0, options.Clients).Select(index => new BenchClient(index, workload, value)).ToArray();
        var abort = new RunAbort();
        var schedule = new BenchSchedule(TimeSpan.FromSeconds(options.Warmup), TimeSpan.FromSeconds(options.Seconds));
        // Task.Run: each loop starts on the thread pool rather than running its first send on this thread.
        var store = context.Store(attempts: 1);
        var loops = Task.WhenAll(clients.Select(client => Task.Run(() => client.RunAsync(store, schedule, abort))));
        using var stopProgress = new CancellationTokenSource();
        var progress = BenchProgress.RunAsync(line, schedule, clients, stopProgress.Token);

        var untilMeasured = TimeSpan.FromSeconds(BenchSchedule.Seconds(schedule.MeasureStart - Stopwatch.GetTimestamp()));
        if (untilMeasured > TimeSpan.Zero)
        {
            await Task.WhenAny(loops, Task.Delay(untilMeasured));
        }
        var cpu = new CpuMeter(options.SiloPid);
        await loops;
        // From the start of the measured phase to the last answer: the requests still in flight at its end count.
        var elapsed = BenchSchedule.Seconds(Stopwatch.GetTimestamp() - schedule.MeasureStart);
        var cpuUse = cpu.Stop();
        await stopProgress.CancelAsync();
        await progress;
        line.Finish();

        var result = BenchResult.From(options, run, clients, elapsed, cpuUse, abort.Reason);
        if (options.Json)
        {
            context.Out.WriteLine(BenchJson.Write(result));
        }
        else
        {
            BenchReport.Write(result, context.Out);
        }
        if (abort.Reason is not null)
        {
            context.Error.WriteLine(abort.Reason);
            return ExitCodes.Unavailable;
        }
        return ExitCodes.Ok;
    }
}
