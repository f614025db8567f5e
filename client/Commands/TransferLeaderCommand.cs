using System.Diagnostics;

namespace RaftOrleans.Client.Commands;

/// <summary>
/// `transfer-leader [--to NODE]`: moves leadership off the current leader (before maintenance of its machine), to
/// NODE or to the follower with the most of the log, and waits until the new leader shows in status.
/// </summary>
internal sealed class TransferLeaderCommand(int? target) : IClientCommand
{
    public async Task<int> RunAsync(CommandContext context)
    {
        var leader = (await context.ReadStatusAsync()).Leader;
        if (leader is null)
        {
            context.Error.WriteLine("transfer-leader: no node leads right now (see `client status`)");
            return ExitCodes.Unavailable;
        }
        var clock = Stopwatch.StartNew();
        var result = await context.Node(leader.NodeId).TransferLeadership(target);
        if (!result.Started)
        {
            context.Error.WriteLine($"transfer-leader: node {leader.NodeId} refused: {result.Refusal}; nothing changed");
            return result.LeaderHint is null && result.Refusal?.Contains("does not lead", StringComparison.Ordinal) == true
                ? ExitCodes.Unavailable
                : ExitCodes.Usage;
        }
        var to = result.Target!.Value;
        context.Out.WriteLine($"node {leader.NodeId}, leader of term {leader.Term}, hands leadership to node {to}...");

        // The leader gives up after an election timeout; allow for a slow status read on top.
        var deadline = context.Config.Raft.ElectionTimeoutMax * 2 + TimeSpan.FromSeconds(2);
        while (clock.Elapsed < deadline)
        {
            var now = (await context.ReadStatusAsync(TimeSpan.FromMilliseconds(500))).Leader;
            if (now is not null && now.Term > leader.Term)
            {
                if (now.NodeId != to)
                {
                    context.Error.WriteLine($"transfer-leader: node {now.NodeId} won term {now.Term} instead of node {to}");
                    return ExitCodes.Unavailable;
                }
                context.Out.WriteLine($"node {to} leads term {now.Term}, seen {clock.Elapsed.TotalMilliseconds:F0} ms after the request");
                return ExitCodes.Ok;
            }
            await Task.Delay(20);
        }
        context.Error.WriteLine($"transfer-leader: node {to} did not take over within {deadline.TotalSeconds:F1} s (the transfer was abandoned after " +
                                $"an election timeout; is node {to} slow or cut off?); see `client status`");
        return ExitCodes.Unavailable;
    }
}
