using System.Diagnostics;
using RaftOrleans.Client.Commands;
using RaftOrleans.Status;

namespace RaftOrleans.Client.Status;

/// <summary>Waits, by reading the cluster's status again and again, until a leader that fits appears.</summary>
internal static class LeaderPolling
{
    /// <summary>
    /// Fine enough to time an election (150-300 ms with the default settings) to a few milliseconds, cheap
    /// enough for the cluster: one GetStatus per node, answered from memory.
    /// </summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(10);

    /// <summary>The first leader for which <paramref name="accept"/> holds, or null at the deadline.</summary>
    public static async Task<NodeStatus?> WaitForLeaderAsync(
        CommandContext context, Func<NodeStatus, bool> accept, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var snapshot = await context.ReadStatusAsync();
            if (snapshot.Leader is { } leader && accept(leader))
            {
                return leader;
            }
            if (clock.Elapsed >= timeout)
            {
                return null;
            }
            await Task.Delay(Interval);
        }
    }
}
