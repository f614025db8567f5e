using System.Diagnostics;

namespace RaftOrleans.Client.Commands;

/// <summary>`crash-leader`: crash the leader and watch the failover: who is elected next, and how soon.</summary>
internal sealed class CrashLeaderCommand : IClientCommand
{
    public async Task<int> RunAsync(CommandContext context)
    {
        var crashed = await LeaderCrash.CrashLeaderAsync(context);
        if (crashed is null)
        {
            context.Error.WriteLine("no leader to crash: no running node leads right now (see `client status`)");
            return ExitCodes.Unavailable;
        }
        var clock = Stopwatch.StartNew();
        context.Out.WriteLine($"crashed node {crashed.NodeId}, leader of term {crashed.Term}; waiting for a new leader...");

        var successor = await LeaderCrash.WaitForSuccessorAsync(context, crashed);
        if (successor is null)
        {
            context.Error.WriteLine($"no new leader within {LeaderCrash.SuccessorTimeout.TotalSeconds:F0} s: a majority of the " +
                                    $"{context.Config.Cluster.Nodes} nodes must run (see `client status`)");
            return ExitCodes.Unavailable;
        }
        context.Out.WriteLine($"node {successor.NodeId} leads term {successor.Term}, seen {clock.Elapsed.TotalMilliseconds:F0} ms " +
                              $"after the crash{LeaderCrash.Votes(successor)}");
        context.Out.WriteLine($"`client restart {crashed.NodeId}` brings node {crashed.NodeId} back as a follower");
        return ExitCodes.Ok;
    }
}
