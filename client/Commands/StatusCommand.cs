using RaftOrleans.Client.Status;

namespace RaftOrleans.Client.Commands;

/// <summary>
/// `status` and `status --json`. Exits 0 when a leader exists and 3 when none does, so a script can wait
/// for a usable cluster on the exit code alone.
/// </summary>
internal sealed class StatusCommand(bool json) : IClientCommand
{
    public async Task<int> RunAsync(CommandContext context)
    {
        var report = StatusReport.From(await context.ReadStatusAsync());
        if (json)
        {
            context.Out.WriteLine(StatusJson.Write(report));
        }
        else
        {
            StatusTable.Write(report, context.Out);
        }
        return report.Leader is null ? ExitCodes.Unavailable : ExitCodes.Ok;
    }
}
