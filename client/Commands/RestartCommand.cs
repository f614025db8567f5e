namespace RaftOrleans.Client.Commands;

/// <summary>`restart NODE`: a crashed node comes back from its storage (term, vote, log) and catches up from the leader.</summary>
internal sealed class RestartCommand(int nodeId) : IClientCommand
{
    public async Task<int> RunAsync(CommandContext context)
    {
        var before = (await context.ReadStatusAsync()).Node(nodeId)?.Status;
        if (before is { Crashed: false })
        {
            context.Out.WriteLine($"node {nodeId} is running ({before.Role}, term {before.Term}); nothing to restart");
            return ExitCodes.Ok;
        }
        await context.Node(nodeId).Restart();
        var after = await context.Node(nodeId).GetStatus();
        context.Out.WriteLine($"node {nodeId} restarted from its storage: term {after.Term}, {after.LastLogIndex} log entries; " +
                              "it learns the commit index from the leader and re-applies the log");
        return ExitCodes.Ok;
    }
}
