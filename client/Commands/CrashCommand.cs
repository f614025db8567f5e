namespace RaftOrleans.Client.Commands;

/// <summary>`crash NODE`: fault injection at the grain level. The node stops answering and loses what it did not persist.</summary>
internal sealed class CrashCommand(int nodeId) : IClientCommand
{
    public async Task<int> RunAsync(CommandContext context)
    {
        var before = (await context.ReadStatusAsync()).Node(nodeId)?.Status;
        if (before is { Crashed: true })
        {
            context.Out.WriteLine($"node {nodeId} is already crashed; `client restart {nodeId}` brings it back");
            return ExitCodes.Ok;
        }
        await context.Node(nodeId).Crash();
        var was = before is null ? "" : $" (it was {before.Role} in term {before.Term})";
        context.Out.WriteLine($"node {nodeId} crashed{was}: it stops answering and forgets everything it did not persist");
        context.Out.WriteLine($"`client status` shows the cluster without it; `client restart {nodeId}` brings it back");
        return ExitCodes.Ok;
    }
}
