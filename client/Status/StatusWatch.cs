using Spectre.Console;
using Spectre.Console.Rendering;
using RaftOrleans.Client.Commands;
using RaftOrleans.Status;

namespace RaftOrleans.Client.Status;

/// <summary>
/// `status --watch`: the cluster redrawn in place every second (Spectre.Console's live display) until Ctrl+C: the
/// leader, term and members, and one row per node with how far it is behind the leader. The one-shot `status` stays
/// plain text for scripts (and `--json` for programs).
/// </summary>
internal static class StatusWatch
{
    public static readonly TimeSpan Every = TimeSpan.FromSeconds(1);

    public static async Task RunAsync(CommandContext context, IAnsiConsole console, CancellationToken stop)
    {
        var report = StatusReport.From(await context.ReadStatusAsync());
        await console.Live(Render(report)).StartAsync(async live =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(Every, stop);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                live.UpdateTarget(Render(StatusReport.From(await context.ReadStatusAsync())));
            }
        });
    }

    /// <summary>One frame: a header line and the table of nodes (and why a node gave no status).</summary>
    public static IRenderable Render(StatusReport report)
    {
        var leader = report.Leader;
        var leaderNode = report.Nodes.FirstOrDefault(n => n.Id == leader?.Id);
        var header = leader is null
            ? "[red]no leader[/] (an election may be under way, or too few nodes run)"
            : $"leader [green]node {leader.Id}[/], term {leader.Term}, commit {leaderNode?.CommitIndex}";
        if (report.Membership is { } members) header += $"   [grey]members: {Markup.Escape(members.ToString())}[/]";
        header += $"   [grey]{report.TakenAt.ToLocalTime():HH:mm:ss}[/]";

        var table = new Table().Border(TableBorder.Rounded);
        foreach (var column in new[] { "node", "member", "role", "term", "last log", "commit", "applied", "keys", "behind leader", "last contact" })
            table.AddColumn(new TableColumn(column));
        var followers = leader?.Followers.ToDictionary(f => f.Id) ?? new Dictionary<int, FollowerReport>();
        foreach (var node in report.Nodes)
        {
            var follower = followers.GetValueOrDefault(node.Id);
            var behind = node.Id == leader?.Id ? 0
                : follower is not null && leaderNode?.LastLogIndex is { } last ? FollowerStatus.Behind(last, follower.MatchIndex) : null;
            var role = node.Id == leader?.Id ? $"[green]{node.Role}[/]" : node.Reachable && !node.Crashed ? node.Role : $"[red]{node.Role}[/]";
            table.AddRow(node.Id.ToString(), node.Member ?? "-", role, Cell(node.Term), Cell(node.LastLogIndex), Cell(node.CommitIndex),
                Cell(node.LastApplied), Cell(node.KeyCount), Cell(behind), follower is null ? "-" : $"{follower.SinceLastContactMs:F0} ms ago");
        }
        var problems = report.Nodes.Where(n => n.Problem is not null).Select(n => new Markup($"[red]node {n.Id}:[/] {Markup.Escape(n.Problem!)}"));
        return new Rows(new IRenderable[] { new Markup(header), table }.Concat(problems));
    }

    private static string Cell(long? value) => value?.ToString() ?? "-";
}
