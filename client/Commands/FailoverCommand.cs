using System.Diagnostics;
using RaftOrleans.KeyValue.Sessions;
using RaftOrleans.Client.Status;
using RaftOrleans.Status;

namespace RaftOrleans.Client.Commands;

/// <summary>
/// `failover --tries N [--kill-silo RESTART]`: how long the store is unwritable when its leader dies. Each try
/// starts from a healthy cluster (a leader, a write that succeeds), takes the leader down (its replica crashed
/// inside the silo, or its whole silo process killed with kill -9), and times from the crash to the
/// first write committed after it, as a client sees it (through the gateway and its retries); in parallel
/// it times when the new leader shows up in status. Then the crashed node is restarted and allowed to
/// catch up before the next try.
/// </summary>
internal sealed class FailoverCommand(int tries, IFailoverFault fault) : IClientCommand
{
    public const int DefaultTries = 10;

    // How long a restarted node gets to catch up before the next try; it rejoins within a few heartbeats (a
    // restarted silo process needs a few seconds more to start).
    private static readonly TimeSpan CatchUpTimeout = TimeSpan.FromSeconds(30);

    public async Task<int> RunAsync(CommandContext context)
    {
        var runId = Guid.NewGuid().ToString("N")[..8];
        context.Out.WriteLine($"failover {runId}: {tries} tries of crash the leader -> first committed write");
        var writes = new List<double>();
        var elections = new List<double>();
        for (var attempt = 1; attempt <= tries; attempt++)
        {
            var session = new KvSession(context.Route);
            var before = await session.PutAsync($"failover-{runId}-{attempt}-before", "steady");
            if (!before.Succeeded)
            {
                context.Error.WriteLine($"try {attempt}: the cluster is not healthy before the crash: {before.Result}");
                return ExitCodes.Unavailable;
            }

            var crashed = (await context.ReadStatusAsync()).Leader;
            if (crashed is null)
            {
                context.Error.WriteLine($"try {attempt}: no leader to crash");
                return ExitCodes.Unavailable;
            }
            var clock = Stopwatch.StartNew();
            string what;
            try
            {
                what = await fault.DownAsync(context, crashed);
            }
            catch (FailoverFaultException error)
            {
                context.Error.WriteLine($"try {attempt}: {error.Message}");
                return ExitCodes.Unavailable;
            }
            var successorSeen = TimeSuccessorAsync(context, crashed, clock);
            var write = await session.PutAsync($"failover-{runId}-{attempt}-after", "written after the crash");
            var writeMs = clock.Elapsed.TotalMilliseconds;
            var (successor, electionMs) = await successorSeen;

            try
            {
                await fault.UpAsync(context, crashed.NodeId);
            }
            catch (FailoverFaultException error)
            {
                context.Error.WriteLine($"try {attempt}: {error.Message}");
                return ExitCodes.Unavailable;
            }
            var caughtUp = await WaitForCatchUpAsync(context, crashed.NodeId);

            if (!write.Succeeded || successor is null)
            {
                context.Error.WriteLine($"try {attempt}: node {crashed.NodeId} crashed; " +
                                        (successor is null ? "no new leader in time; " : "") + $"write -> {write.Result}");
                return ExitCodes.Unavailable;
            }
            writes.Add(writeMs);
            elections.Add(electionMs);
            context.Out.WriteLine($"try {attempt,2}: {what} (term {crashed.Term}); node {successor.NodeId} " +
                                  $"leads term {successor.Term} after {electionMs,4:F0} ms; first write committed after " +
                                  $"{writeMs,4:F0} ms{(write.Resends > 0 ? $" ({write.Resends} resends)" : "")}" +
                                  (caughtUp ? "" : $"; node {crashed.NodeId} had not caught up after {CatchUpTimeout.TotalSeconds:F0} s"));
        }

        context.Out.WriteLine();
        context.Out.WriteLine($"crash -> first committed write, ms: {string.Join(", ", writes.Select(ms => ms.ToString("F0")))}");
        context.Out.WriteLine($"  median {Median(writes):F0} ms, max {writes.Max():F0} ms");
        context.Out.WriteLine($"crash -> new leader seen in status, ms: {string.Join(", ", elections.Select(ms => ms.ToString("F0")))}");
        context.Out.WriteLine($"  median {Median(elections):F0} ms, max {elections.Max():F0} ms " +
                              $"(status read every {LeaderPolling.Interval.TotalMilliseconds:F0} ms)");
        return ExitCodes.Ok;
    }

    private static async Task<(NodeStatus? Successor, double Ms)> TimeSuccessorAsync(
        CommandContext context, NodeStatus crashed, Stopwatch clock)
    {
        var successor = await LeaderCrash.WaitForSuccessorAsync(context, crashed);
        return (successor, clock.Elapsed.TotalMilliseconds);
    }

    /// <summary>Until the restarted node has applied everything the leader had committed when it came back.</summary>
    private static async Task<bool> WaitForCatchUpAsync(CommandContext context, int nodeId)
    {
        var clock = Stopwatch.StartNew();
        var target = (await context.ReadStatusAsync()).Leader?.CommitIndex ?? 0;
        while (clock.Elapsed < CatchUpTimeout)
        {
            // Through the probe: a restarted silo's node may not answer at first.
            var node = (await context.ReadStatusAsync()).Node(nodeId)?.Status;
            if (node is { Crashed: false } && node.LastApplied >= target)
            {
                return true;
            }
            await Task.Delay(LeaderPolling.Interval);
        }
        return false;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
