using System.Diagnostics;

namespace RaftOrleans.Client.Bench;

/// <summary>
/// The warm-up and the measured phase as Stopwatch timestamps fixed before the first request. Each client
/// decides on its own whether a request counts (it started in the measured phase) and when to stop (the
/// phase is over), so there is no shared flag to flip and nothing to lock on the hot path. As in the etcd
/// loader, requests still in flight at the end are waited for and counted, and the measured time runs until
/// the last of them is answered.
/// </summary>
internal sealed class BenchSchedule
{
    public BenchSchedule(TimeSpan warmup, TimeSpan measured)
    {
        Start = Stopwatch.GetTimestamp();
        MeasureStart = Start + Ticks(warmup);
        End = MeasureStart + Ticks(measured);
    }

    public long Start { get; }

    public long MeasureStart { get; }

    public long End { get; }

    /// <summary>A request counts when it was sent in the measured phase, not during the warm-up.</summary>
    public bool Counts(long sentAt) => sentAt >= MeasureStart;

    public bool IsOver(long now) => now >= End;

    public static double Milliseconds(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    public static double Seconds(long ticks) => (double)ticks / Stopwatch.Frequency;

    private static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);
}
