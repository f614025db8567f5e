namespace RaftOrleans.Client.Bench;

/// <summary>
/// Percentiles of the measured latencies, in milliseconds, computed once at the end from every client's
/// exact figures merged and sorted (a few hundred thousand numbers at most: cheap, and no histogram rounding).
/// Nearest rank, as the etcd loader computes them: the smallest value with at least p of all at or below it.
/// Null when nothing succeeded.
/// </summary>
internal sealed record LatencySummary(double? P50, double? P90, double? P99, double? Max, double? Mean)
{
    public static LatencySummary From(IEnumerable<IReadOnlyList<long>> perClient)
    {
        var all = perClient.SelectMany(latencies => latencies).ToArray();
        if (all.Length == 0)
        {
            return new LatencySummary(null, null, null, null, null);
        }
        Array.Sort(all);
        double Rank(double p) => BenchSchedule.Milliseconds(all[Math.Max(0, (int)Math.Ceiling(p * all.Length) - 1)]);
        return new LatencySummary(Rank(0.50), Rank(0.90), Rank(0.99), BenchSchedule.Milliseconds(all[^1]),
            BenchSchedule.Milliseconds((long)all.Average()));
    }
}
