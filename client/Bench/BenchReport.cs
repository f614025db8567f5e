using System.Globalization;

namespace RaftOrleans.Client.Bench;

/// <summary>The result for a person: throughput, latency, what the store answered, errors and CPU.</summary>
internal static class BenchReport
{
    public static void Write(BenchResult r, TextWriter output)
    {
        string Ms(double? value) => value is { } v ? v.ToString("F2", CultureInfo.InvariantCulture) : "-";
        string Pct(double? value) => value is { } v ? v.ToString("F0", CultureInfo.InvariantCulture) + "%" : "n/a";
        string N(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

        output.WriteLine($"bench {r.Run}: mix {r.Mix}, {r.Clients} clients, {r.Seconds} s measured after {r.Warmup} s warm-up, " +
                         $"{r.ValueSize}-byte values{(r.Mix == "put" ? "" : $", {r.Keys} keys")}");
        output.WriteLine($"  throughput  {N(r.OpsPerS)} ops/s  ({N(r.Ops)} requests in {r.ElapsedS.ToString("F2", CultureInfo.InvariantCulture)} s)");
        output.WriteLine($"  latency ms  p50 {Ms(r.P50Ms)}  p90 {Ms(r.P90Ms)}  p99 {Ms(r.P99Ms)}  max {Ms(r.MaxMs)}  (errors excluded)");
        output.WriteLine($"  answers     ok {N(r.Ok)}, key exists {N(r.KeyExists)}, not found {N(r.NotFound)}  " +
                         $"(gets {N(r.Gets)}, puts {N(r.Puts)}, deletes {N(r.Deletes)})");
        output.WriteLine($"  errors      {N(r.Errors)}  (unavailable {N(r.ErrorsUnavailable)}, invalid {N(r.ErrorsInvalid)}, " +
                         $"exceptions {N(r.ErrorsExceptions)})");
        output.WriteLine($"  cpu         client {Pct(r.ClientCpuPct)}, silo {Pct(r.SiloCpuPct)}, other processes {Pct(r.OtherCpuPct)}, " +
                         $"machine {Pct(r.MachineCpuPct)} (shares of all cores over the measured phase)");
        if (r.Aborted is not null)
        {
            output.WriteLine($"  stopped early: {r.Aborted}");
        }
    }
}
