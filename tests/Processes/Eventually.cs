using System.Diagnostics;

namespace RaftOrleans.Tests.Processes;

/// <summary>Waiting on real processes: poll a condition with a generous deadline, never sleep a fixed time.</summary>
internal static class Eventually
{
    public static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);

    /// <summary>Polls <paramref name="condition"/> until it gives a value; fails naming <paramref name="what"/> after <see cref="Generous"/>.</summary>
    public static async Task<T> WaitFor<T>(Func<Task<T?>> condition, string what) where T : class
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (await condition() is { } value) return value;
            if (clock.Elapsed > Generous) throw new TimeoutException($"gave up after {Generous.TotalSeconds:F0} s waiting for {what}");
            await Task.Delay(50);
        }
    }
}
