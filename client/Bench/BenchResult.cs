using RaftOrleans.Kv;

namespace RaftOrleans.Client.Bench;

/// <summary>
/// The figures of one bench run, summed over its clients. Each client is read only after its loop has ended.
/// <see cref="Ops"/> counts every measured request, errors included (as the etcd loader does); latencies
/// exclude errors. The property names become the JSON fields (snake_case).
/// </summary>
internal sealed record BenchResult(
    string Run,
    string Mix,
    int Clients,
    int Seconds,
    int Warmup,
    int Keys,
    int ValueSize,
    double ElapsedS,
    long Ops,
    double OpsPerS,
    double? P50Ms,
    double? P90Ms,
    double? P99Ms,
    double? MaxMs,
    double? MeanMs,
    long Ok,
    long KeyExists,
    long NotFound,
    long Gets,
    long Puts,
    long Deletes,
    long Errors,
    long ErrorsUnavailable,
    long ErrorsInvalid,
    long ErrorsExceptions,
    double ClientCpuPct,
    double? SiloCpuPct,
    double? MachineCpuPct,
    double? OtherCpuPct,
    string? Aborted)
{
    public static BenchResult From(BenchOptions options, string run, IReadOnlyList<BenchClient> clients, double elapsedSeconds,
        CpuUse cpu, string? aborted)
    {
        long Sum(BenchOutcome outcome) => clients.Sum(client => client.Count(outcome));
        long Operations(KvOperation operation) => clients.Sum(client => client.Count(operation));
        var ops = clients.Sum(client => client.Measured);
        var latency = LatencySummary.From(clients.Select(client => client.Latencies));
        var unavailable = Sum(BenchOutcome.Unavailable);
        var invalid = Sum(BenchOutcome.Invalid);
        var exceptions = Sum(BenchOutcome.Exception);
        return new BenchResult(run, options.MixName, options.Clients, options.Seconds, options.Warmup, options.Keys, options.ValueSize,
            Round(elapsedSeconds), ops, Round(elapsedSeconds > 0 ? ops / elapsedSeconds : 0),
            Round(latency.P50), Round(latency.P90), Round(latency.P99), Round(latency.Max), Round(latency.Mean),
            Sum(BenchOutcome.Ok), Sum(BenchOutcome.KeyExists), Sum(BenchOutcome.NotFound),
            Operations(KvOperation.Get), Operations(KvOperation.Put), Operations(KvOperation.Delete),
            unavailable + invalid + exceptions, unavailable, invalid, exceptions,
            Round(cpu.Client), Round(cpu.Silo), Round(cpu.Machine), Round(cpu.Others), aborted);
    }

    // Two decimals: a hundredth of a millisecond is below the noise of any of these figures.
    private static double Round(double value) => Math.Round(value, 2);

    private static double? Round(double? value) => value is { } v ? Math.Round(v, 2) : null;
}
