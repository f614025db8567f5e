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

    // A node whose silo was just killed gives no answer (its requests are lost without an error in Orleans):
    // each poll waits for it this long at most, so an election is timed to within this, not to the 2 s of `status`.
    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(50);

    /// <summary>The first leader for which <paramref name="accept"/> holds, or null at the deadline.</summary>
    public static async Task<NodeStatus?> WaitForLeaderAsync(
        CommandContext context, Func<NodeStatus, bool> accept, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var snapshot = await context.ReadStatusAsync(PollTimeout);
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
