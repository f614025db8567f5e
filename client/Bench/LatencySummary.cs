using System.Diagnostics;
using HdrHistogram;

namespace RaftOrleans.Client.Bench;

/// <summary>
/// Percentiles of the measured latencies, in milliseconds, from every client's HdrHistogram merged at the end. Each
/// client records into its own histogram (no lock on the hot path, memory fixed however long the run), at three
/// significant digits: a percentile is within 0.1 % of the exact nearest-rank figure the etcd loader computes.
/// Null when nothing succeeded.
/// </summary>
internal sealed record LatencySummary(double? P50, double? P90, double? P99, double? Max, double? Mean)
{
    /// <summary>Latencies up to a minute, in Stopwatch ticks, three significant digits.</summary>
    public static LongHistogram NewHistogram() => new(Stopwatch.Frequency * 60, 3);

    public static LatencySummary From(IEnumerable<HistogramBase> perClient)
    {
        var all = NewHistogram();
        foreach (var client in perClient) all.Add(client);
        if (all.TotalCount == 0)
        {
            return new LatencySummary(null, null, null, null, null);
        }
        double At(double percentile) => BenchSchedule.Milliseconds(all.GetValueAtPercentile(percentile));
        return new LatencySummary(At(50), At(90), At(99), BenchSchedule.Milliseconds(all.GetMaxValue()),
            BenchSchedule.Milliseconds((long)all.GetMean()));
    }
}
