using System.Diagnostics;
using System.Globalization;
using RaftOrleans.Client.Commands;
using RaftOrleans.KeyValue.Sessions;
using RaftOrleans.Configuration;
using RaftOrleans.Kv;

namespace RaftOrleans.Client.Check;

/// <summary>
/// `check`: the store tested from outside, the way Jepsen tests a database. Clients run random put / get /
/// delete while a nemesis injects faults; at the end the faults are healed, every key is read back, and the
/// history is checked for linearizability (<see cref="LinearizabilityChecker"/>), for acknowledged writes that
/// were lost (<see cref="LostWrites"/>), and the nodes' states are compared. Exit 0 only when all three hold.
/// </summary>
internal sealed class CheckCommand(CheckOptions options) : IClientCommand
{
    /// <summary>How long the cluster gets to show a leader, answer a final read, or bring its replicas level.</summary>
    private static readonly TimeSpan SettleDeadline = TimeSpan.FromSeconds(60);

    /// <summary>Operations of a failing key printed (all of them are in the history file).</summary>
    private const int FailureLinesShown = 25;

    /// <summary>Clients are numbered from 1; the final reads are made by client 0.</summary>
    private const int FinalReader = 0;

    public async Task<int> RunAsync(CommandContext context)
    {
        var runId = Guid.NewGuid().ToString("N")[..8];
        var config = context.Config;
        var where = config.Cluster.Mode == ClusterMode.Cluster ? $"{config.Cluster.Nodes} nodes, one silo each" : $"{config.Cluster.Nodes} nodes in one embedded silo";
        context.Out.WriteLine($"check {runId}: {options.Clients} clients, {options.Keys} keys, {options.Seconds} s, nemesis {options.NemesisName}; {where}");
        var nemeses = options.Nemeses.Select(kind => Create(kind, context)).ToArray();
        try
        {
            if (await WaitForLeaderAsync(context) is null)
            {
                context.Error.WriteLine($"check: no leader within {SettleDeadline.TotalSeconds:F0} s; is the cluster up? (client status)");
                return ExitCodes.Unavailable;
            }
            // Proves, before the run, that the silos take partition orders (their own raft.toml decides).
            if (options.Nemeses.Contains(NemesisKind.Partition)) await PartitionNemesis.HealAllAsync(context);
        }
        catch (InvalidOperationException error)
        {
            context.Error.WriteLine($"check: {error.Message}");
            return ExitCodes.Usage;
        }

        var clock = Stopwatch.StartNew();
        var workload = new CheckWorkload(context.Route, runId, options.Clients, options.Keys, clock);
        var runner = new NemesisRunner(nemeses, clock, context.Out);
        await using var watcher = new LeaderWatcher(context);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(options.Seconds));
        var clients = workload.RunAsync(stop.Token);
        string? nemesisFailure = null;
        try
        {
            await runner.RunAsync(stop.Token);
        }
        catch (Exception error)
        {
            nemesisFailure = error.Message;
            await stop.CancelAsync();
            await HealAfterFailureAsync(context, runner.Unhealed);
        }
        await clients;
        var leaders = await watcher.StopAsync();
        context.Out.WriteLine($"{clock.Elapsed.TotalSeconds,7:F1} s  run over: healing the cluster and reading every key back");
        await HealEverythingAsync(context);
        if (nemesisFailure is not null)
        {
            context.Error.WriteLine($"check: the nemesis failed, run stopped: {nemesisFailure}");
            return ExitCodes.Unavailable;
        }

        var finalReads = await ReadEveryKeyAsync(context, workload);
        var replicas = await CompareReplicasAsync(context);
        var history = workload.History.ToArray();
        var verdict = LinearizabilityChecker.Check(history, CheckBudget);
        var lost = LostWrites.Find(history, finalReads);
        var unread = workload.Keys.Count(key => !finalReads.ContainsKey(key));

        Report(context.Out, history, finalReads.Count, unread, leaders, runner.Injected, verdict, lost, replicas);
        var failed = verdict.Result == Linearizable.No || lost.Count > 0 || !replicas.Equal;
        var undecided = verdict.Result == Linearizable.Unknown || unread > 0;
        if (options.HistoryPath is not null || failed || undecided)
        {
            var path = Path.GetFullPath(options.HistoryPath ?? $"check-{runId}.history.jsonl");
            await HistoryFile.WriteAsync(path, history);
            context.Out.WriteLine($"history: {path}");
        }
        return failed ? ExitCodes.CheckFailed : undecided ? ExitCodes.CheckUndecided : ExitCodes.Ok;
    }

    /// <summary>The search's time budget: a minute, or as long as the run if that is longer.</summary>
    private TimeSpan CheckBudget => TimeSpan.FromSeconds(Math.Max(60, options.Seconds));

    private Nemesis Create(NemesisKind kind, CommandContext context) => kind switch
    {
        NemesisKind.Kill => SiloProcessNemesis.Kill(context, new ClusterScript(options.ClusterScript!)),
        NemesisKind.Pause => SiloProcessNemesis.Pause(context, new ClusterScript(options.ClusterScript!)),
        NemesisKind.Partition => new PartitionNemesis(context),
        NemesisKind.CrashNode => new CrashNodeNemesis(context),
        NemesisKind.Transfer => new TransferNemesis(context),
        NemesisKind.Membership => new MembershipNemesis(context),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "no such nemesis"),
    };

    /// <summary>
    /// Whatever a nemesis may have left behind (it heals its own faults, but a failed one may not have): links
    /// restored and crashed nodes restarted, both idempotent. Best effort: what does not heal shows in the checks.
    /// </summary>
    private async Task HealEverythingAsync(CommandContext context)
    {
        try
        {
            foreach (var group in EachGroup(context))
            {
                if (options.Nemeses.Contains(NemesisKind.Partition)) await PartitionNemesis.HealAllAsync(group);
                if (options.Nemeses.Contains(NemesisKind.CrashNode)) await Task.WhenAll(group.NodeIds.Select(n => group.Node(n).Restart()));
            }
        }
        catch (Exception error)
        {
            context.Error.WriteLine($"check: could not heal every node: {error.Message}");
        }
    }

    /// <summary>A nemesis step failed with its fault maybe in force (a silo killed or paused): undo it once, best effort.</summary>
    private static async Task HealAfterFailureAsync(CommandContext context, Nemesis? unhealed)
    {
        if (unhealed is null) return;
        try
        {
            context.Out.WriteLine($"nemesis: {await unhealed.HealAsync()} (after the failure)");
        }
        catch (Exception error)
        {
            context.Error.WriteLine($"check: could not undo the {unhealed.Kind} fault: {error.Message}; see scripts/cluster.sh status");
        }
    }

    /// <summary>
    /// The groups a check covers, one context each: the one --group names, else every group (keys spread over all of
    /// them, faults go to any, and each must settle with a leader and equal replicas).
    /// </summary>
    private static IEnumerable<CommandContext> EachGroup(CommandContext context) =>
        context.GroupName is not null || context.Groups.Count == 1
            ? [context]
            : context.Groups.All.Select(g => context with { GroupName = g.Name });

    /// <summary>Until every group covered has a leader; the snapshot of the last one, or null at the deadline.</summary>
    private static async Task<Status.ClusterSnapshot?> WaitForLeaderAsync(CommandContext context)
    {
        var clock = Stopwatch.StartNew();
        Status.ClusterSnapshot? last = null;
        foreach (var group in EachGroup(context))
        {
            last = null;
            while (clock.Elapsed < SettleDeadline)
            {
                var snapshot = await group.ReadStatusAsync(TimeSpan.FromMilliseconds(500));
                if (snapshot.Leader is not null)
                {
                    last = snapshot;
                    break;
                }
                await Task.Delay(100);
            }
            if (last is null) return null;
        }
        return last;
    }

    /// <summary>Each key read until it gets a definite answer (or the deadline passes); the reads join the history.</summary>
    private static async Task<IReadOnlyDictionary<string, HistoryOperation>> ReadEveryKeyAsync(CommandContext context, CheckWorkload workload)
    {
        var session = new KvSession(context.Route);
        var reads = new Dictionary<string, HistoryOperation>(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();
        foreach (var key in workload.Keys)
        {
            while (clock.Elapsed < SettleDeadline)
            {
                var read = await workload.RecordAsync(FinalReader, session, KvOperation.Get, key, null);
                if (read.IsUnknown) continue;
                reads[key] = read;
                break;
            }
        }
        return reads;
    }

    private sealed record ReplicaComparison(bool Equal, string Text);

    /// <summary>In every group covered: every node running, at the same applied index, with the same state digest.</summary>
    private static async Task<ReplicaComparison> CompareReplicasAsync(CommandContext context)
    {
        var groups = EachGroup(context).ToArray();
        if (groups.Length == 1) return await CompareGroupAsync(context);
        var each = new List<ReplicaComparison>();
        foreach (var group in groups)
        {
            var compared = await CompareGroupAsync(group);
            each.Add(compared with { Text = $"group {group.Group.Name}: {compared.Text}" });
        }
        return new ReplicaComparison(each.All(c => c.Equal), string.Join("; ", each.Select(c => c.Text)));
    }

    /// <summary>Every node of one group running, at the same applied index, with the same state digest; or, at the deadline, how they differ.</summary>
    private static async Task<ReplicaComparison> CompareGroupAsync(CommandContext context)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var nodes = (await context.ReadStatusAsync(TimeSpan.FromSeconds(1))).Nodes;
            var statuses = nodes.Where(n => n.IsRunning).Select(n => n.Status!).ToArray();
            if (statuses.Length == nodes.Count
                && statuses.All(s => s.LastApplied == statuses[0].LastApplied && s.StateDigest == statuses[0].StateDigest))
            {
                return new ReplicaComparison(true,
                    $"equal on all {statuses.Length} nodes (applied index {statuses[0].LastApplied:N0}, {statuses[0].KeyCount:N0} keys, digest {statuses[0].StateDigest})");
            }
            if (clock.Elapsed > SettleDeadline)
            {
                var each = nodes.Select(n => n.IsRunning
                    ? $"node {n.NodeId} applied {n.Status!.LastApplied} digest {n.Status.StateDigest}"
                    : $"node {n.NodeId} not running");
                return new ReplicaComparison(false, $"NOT equal after {SettleDeadline.TotalSeconds:F0} s: {string.Join("; ", each)}");
            }
            await Task.Delay(200);
        }
    }

    private static void Report(
        TextWriter output,
        IReadOnlyList<HistoryOperation> history,
        int keysRead,
        int unread,
        IReadOnlyList<(long Term, int Leader)> leaders,
        IReadOnlyList<NemesisKind> injected,
        CheckVerdict verdict,
        IReadOnlyList<HistoryOperation> lost,
        ReplicaComparison replicas)
    {
        var run = history.Where(o => o.Client != FinalReader).ToArray();
        var ok = run.Count(o => o.Outcome == HistoryOutcome.Ok);
        var unknown = run.Count(o => o.IsUnknown);
        output.WriteLine($"operations:        {run.Length:N0} (ok {ok:N0}, refused {run.Length - ok - unknown:N0}, unknown {unknown:N0}); " +
                         $"final reads of {keysRead:N0} keys{(unread > 0 ? $", {unread} keys could not be read" : "")}");
        output.WriteLine(leaders.Count == 0
            ? "elections seen:    none (no leader seen during the run)"
            : $"elections seen:    {leaders.Count - 1} (term {leaders[0].Term} -> {leaders[^1].Term}" +
              (leaders.Count <= 12 ? $"; leaders {string.Join(", ", leaders.Select(l => l.Leader))})" : ")"));
        output.WriteLine(injected.Count == 0
            ? "nemesis events:    none"
            : $"nemesis events:    {injected.Count} ({string.Join(", ", injected.GroupBy(k => k).Select(g => $"{Name(g.Key)} x{g.Count()}"))})");
        var result = verdict.Result switch
        {
            Linearizable.Yes => "yes",
            Linearizable.No => "NO",
            _ => "unknown (the search ran out of time)",
        };
        output.WriteLine($"linearizable:      {result} ({verdict.Keys.Count:N0} keys checked in {verdict.Took.TotalSeconds:F1} s)");
        output.WriteLine($"acknowledged writes lost: {lost.Count}");
        foreach (var put in lost.Take(10)) output.WriteLine($"  {Line(put)}");
        output.WriteLine($"replicas:          {replicas.Text}");
        if (verdict.SmallestFailure is { } failure)
        {
            var deadline = Stopwatch.GetTimestamp() + 10 * Stopwatch.Frequency;
            var prefix = LinearizabilityChecker.ShortestFailingPrefix(failure.Operations, deadline) ?? failure.Operations;
            var shown = prefix.TakeLast(FailureLinesShown).ToArray();
            output.WriteLine($"smallest key that is not linearizable: {failure.Key} ({failure.Operations.Count} operations); " +
                             $"its first {prefix.Count} already are not, the last {shown.Length} of them (invocation order):");
            foreach (var op in shown) output.WriteLine($"  {Line(op)}");
        }
    }

    private static string Name(NemesisKind kind) => kind == NemesisKind.CrashNode ? "crash-node" : kind.ToString().ToLowerInvariant();

    /// <summary>"   12.345 ..    13.456 ms  client 2  put k = 2-17 -> ok" (times in ms on the run's clock; "..?": no answer).</summary>
    private static string Line(HistoryOperation op)
    {
        var from = (op.InvokedMicros / 1000.0).ToString("F3", CultureInfo.InvariantCulture);
        var to = op.CompletedMicros is { } done ? (done / 1000.0).ToString("F3", CultureInfo.InvariantCulture) : "?";
        return $"{from,12} .. {to,12} ms  client {op.Client}  {op.Describe()}";
    }
}
