using RaftOrleans.Client.Status;

namespace RaftOrleans.Client.Commands;

/// <summary>
/// `status` and `status --json`. Exits 0 when a leader exists and 3 when none does, so a script can wait
/// for a usable cluster on the exit code alone. A store of several groups is shown one line per group (every group
/// must have a leader for exit code 0) unless --group names one, which is then shown in full.
/// </summary>
internal sealed class StatusCommand(bool json, bool watch = false) : IClientCommand
{
    public async Task<int> RunAsync(CommandContext context)
    {
        if (watch)
        {
            // Ctrl+C ends the watch, and the command with exit code 0 (the console's host does not handle signals itself).
            using var stop = new CancellationTokenSource();
            ConsoleCancelEventHandler cancel = (_, e) => { e.Cancel = true; stop.Cancel(); };
            Console.CancelKeyPress += cancel;
            try
            {
                await StatusWatch.RunAsync(context, Spectre.Console.AnsiConsole.Console, stop.Token);
            }
            finally
            {
                Console.CancelKeyPress -= cancel;
            }
            return ExitCodes.Ok;
        }
        if (context.GroupName is null && context.Groups.Count > 1)
        {
            var overview = GroupsOverview.From(await Task.WhenAll(context.Groups.All.Select(g => context.ReadStatusAsync(g))));
            if (json) context.Out.WriteLine(StatusJson.Write(overview));
            else overview.WriteTable(context.Out);
            return overview.AllLed ? ExitCodes.Ok : ExitCodes.Unavailable;
        }
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
