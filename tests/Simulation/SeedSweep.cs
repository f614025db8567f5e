using System.Text;

namespace RaftOrleans.Tests.Simulation;

/// <summary>
/// Runs a range of seeds. Each run is single-threaded and shares nothing, so runs go in parallel across
/// cores without touching determinism; the report lists every failing seed with its replay command.
/// </summary>
internal static class SeedSweep
{
    public static IReadOnlyList<SimulationOutcome> Run(int nodeCount, int firstSeed, int count,
        Func<SimulationSettings, SimulationSettings>? adjust = null, int groups = 1)
    {
        var outcomes = new SimulationOutcome[count];
        Parallel.For(0, count, i => outcomes[i] = ClusterSimulation.Run(firstSeed + i, nodeCount, groups, adjust: adjust));
        return outcomes;
    }

    public static string Summary(IReadOnlyList<SimulationOutcome> outcomes) =>
        $"{outcomes.Count} seeds, {outcomes.Count(o => !o.Passed)} failed; {outcomes.Sum(o => o.Acknowledged)} requests acknowledged, " +
        $"{outcomes.Sum(o => o.Committed)} entries committed, {outcomes.Sum(o => o.Elections)} leaders elected, " +
        $"{outcomes.Sum(o => o.Crashes)} crashes, {outcomes.Sum(o => o.Events)} events; slowest recovery after the heal " +
        $"{outcomes.Where(o => o.Passed).Select(o => o.SettledAfterHeal).DefaultIfEmpty().Max().TotalMilliseconds:0} ms\n" +
        $"snapshot, crash and read paths: {DurabilityCounters.Sum(outcomes.Select(o => o.Counters))}";

    public static string FailureReport(IReadOnlyList<SimulationOutcome> outcomes)
    {
        var failed = outcomes.Where(o => !o.Passed).ToArray();
        if (failed.Length == 0) return "no failures";
        var report = new StringBuilder();
        report.AppendLine($"{failed.Length} of {outcomes.Count} seeds failed: {string.Join(", ", failed.Select(o => o.Seed))}");
        report.AppendLine($"first failure, seed {failed[0].Seed} ({failed[0].NodeCount} nodes{(failed[0].Groups > 1 ? $", {failed[0].Groups} groups" : "")}): {failed[0].Violation}");
        report.AppendLine($"replay it alone: {failed[0].ReplayCommand}");
        foreach (var other in failed.Skip(1).Take(9))
            report.AppendLine($"seed {other.Seed}: {FirstLine(other.Violation!)}");
        return report.ToString();
    }

    private static string FirstLine(string text) => text.Split('\n')[0];
}
