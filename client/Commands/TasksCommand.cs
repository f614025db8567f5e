using System.Diagnostics;
using RaftOrleans.KeyValue.Sessions;
using RaftOrleans.Kv;
using RaftOrleans.Status;

namespace RaftOrleans.Client.Commands;

/// <summary>
/// `tasks --count N [--crash-leader-after M]`: the exactly-once check. N tasks, each a put of its own key,
/// are shared out to num_clients concurrent clients; optionally the leader is crashed once M have
/// completed. Then every key is read back. Since no two tasks share a key, a task applied twice shows up:
/// its put answers KeyExists, or its key holds another value. Exit 0 only if every task took effect once.
/// </summary>
internal sealed class TasksCommand(int count, int? crashLeaderAfter) : IClientCommand
{
    public const int DefaultCount = 1000;

    private readonly RunAbort _abort = new();
    private CommandContext _context = null!;
    private TaskLedger _ledger = null!;
    private int _nextTask;
    private int _completed;
    private Task<NodeStatus?>? _crash;

    public async Task<int> RunAsync(CommandContext context)
    {
        _context = context;
        _ledger = new TaskLedger(Guid.NewGuid().ToString("N")[..8], count);
        var clients = context.Config.Client.NumClients;
        var crashNote = crashLeaderAfter is { } after ? $"; the leader is crashed after {after} complete" : "";
        context.Out.WriteLine($"tasks {_ledger.RunId}: {count} puts of unique keys {_ledger.Key(1)}..{count} " +
                              $"by {clients} concurrent clients{crashNote}");

        // Elections of a later term than any node knows now happened during the run.
        var startTerm = (await context.ReadStatusAsync()).Nodes.Max(node => node.Status?.Term ?? 0);
        await using var watcher = new LeaderWatcher(context);
        var clock = Stopwatch.StartNew();
        if (crashLeaderAfter == 0)
        {
            _crash = CrashLeaderAsync();
        }
        await Task.WhenAll(Enumerable.Range(1, clients).Select(_ => RunWorkerAsync()));
        var elapsed = clock.Elapsed;
        var leaders = await watcher.StopAsync();

        var crashed = _crash is null ? null : await _crash;
        if (crashed is not null)
        {
            // Put it back so the next run (or the user) finds the whole cluster; it rejoins as a follower.
            await context.Node(crashed.NodeId).Restart();
            context.Out.WriteLine($"restarted node {crashed.NodeId}: it rejoins from its storage and catches up");
        }

        context.Out.WriteLine(_abort.IsTripped ? "no read-back: the cluster has no leader" : $"reading back {count} keys...");
        await Task.WhenAll(Enumerable.Range(0, clients).Select(worker => ReadBackAsync(worker, clients)));
        var elections = (await context.ReadStatusAsync()).RecentElections.Where(election => election.Term > startTerm).ToArray();

        WriteReport(elapsed, leaders, elections.Select(e => $"term {e.Term} won by node {e.Leader}").ToArray(), crashed);
        return _ledger.ExactlyOnce ? ExitCodes.Ok
            : _abort.IsTripped ? ExitCodes.Unavailable
            : ExitCodes.NotExactlyOnce;
    }

    /// <summary>One client: takes the next task number until none is left, one request at a time.</summary>
    private async Task RunWorkerAsync()
    {
        var session = new KvSession(_context.Route);
        var progressStep = Math.Max(1, count / 10);
        int task;
        while (!_abort.IsTripped && (task = Interlocked.Increment(ref _nextTask)) <= count)
        {
            var outcome = await session.PutAsync(_ledger.Key(task), TaskLedger.Value(task));
            _ledger.RecordPut(task, outcome);
            if (outcome.Succeeded)
            {
                var completed = Interlocked.Increment(ref _completed);
                if (completed == crashLeaderAfter)
                {
                    _crash = CrashLeaderAsync();
                }
                if (completed % progressStep == 0)
                {
                    _context.Out.WriteLine($"  {completed,5} of {count} completed");
                }
            }
            else
            {
                _context.Out.WriteLine($"  task {task}: put {_ledger.Key(task)} -> {outcome.Result} after {outcome.Resends + 1} sends");
                if (outcome.Unanswered)
                {
                    _abort.Trip($"task {task} got no answer from a leader through {outcome.Resends + 1} sends");
                }
            }
        }
    }

    private async Task<NodeStatus?> CrashLeaderAsync()
    {
        var crashed = await LeaderCrash.CrashLeaderAsync(_context);
        _context.Out.WriteLine(crashed is null
            ? $"  after {Volatile.Read(ref _completed)} completed: no leader to crash right now"
            : $"  after {Volatile.Read(ref _completed)} completed: crashed the leader, node {crashed.NodeId} (term {crashed.Term})");
        return crashed;
    }

    /// <summary>Reader <paramref name="worker"/> of <paramref name="workers"/> reads tasks worker+1, worker+1+workers, ...</summary>
    private async Task ReadBackAsync(int worker, int workers)
    {
        var session = new KvSession(_context.Route);
        for (var task = worker + 1; task <= count && !_abort.IsTripped; task += workers)
        {
            var outcome = await session.GetAsync(_ledger.Key(task));
            _ledger.RecordRead(task, outcome.Result);
            if (outcome.Unanswered)
            {
                _abort.Trip($"reading back task {task} got no answer from a leader through {outcome.Resends + 1} sends");
            }
            if (outcome.Result is { Status: KvStatus.Ok } read && read.Value != TaskLedger.Value(task))
            {
                _context.Out.WriteLine($"  task {task}: {_ledger.Key(task)} holds '{read.Value}', not '{TaskLedger.Value(task)}'");
            }
        }
    }

    private void WriteReport(TimeSpan elapsed, IReadOnlyList<(long Term, int Leader)> leaders, string[] elections, NodeStatus? crashed)
    {
        var ledger = _ledger;
        var output = _context.Out;
        var rate = elapsed.TotalSeconds > 0 ? ledger.Completed / elapsed.TotalSeconds : 0;
        var changes = Math.Max(0, leaders.Count - 1);
        output.WriteLine();
        output.WriteLine($"tasks {ledger.RunId}: {ledger.Count} tasks in {elapsed.TotalSeconds:F1} s ({rate:F0} completed/s)");
        output.WriteLine($"  total           {ledger.Count,5}");
        output.WriteLine($"  completed       {ledger.Completed,5}   put answered Ok");
        output.WriteLine($"  failed          {ledger.Failed,5}   no definitive answer after {KvSession.DefaultAttempts} sends" +
                         (ledger.FailedYetApplied > 0 ? $" ({ledger.FailedYetApplied} of them took effect anyway, once)" : ""));
        output.WriteLine($"  duplicates      {ledger.Duplicates,5}   put answered KeyExists: {ledger.AnsweredKeyExists}; " +
                         $"key read back with another value: {ledger.ReadWrongValue}");
        output.WriteLine($"  resent          {ledger.Resends,5}   sends repeated with the same client id and sequence, " +
                         $"in {ledger.TasksResent} tasks (each applied at most once)");
        output.WriteLine($"  read back       {ledger.ReadMatching,5}   keys holding their task's value; missing: {ledger.ReadMissing} " +
                         $"(acknowledged yet lost: {ledger.LostAfterOk}), unanswered: {ledger.ReadUnanswered}");
        output.WriteLine($"  leader changes  {changes,5}   {Leaders(leaders)} (seen by reading status every {LeaderWatcher.Interval.TotalMilliseconds:F0} ms)");
        if (elections.Length > 0)
        {
            output.WriteLine($"                          elections the nodes recorded during the run: {string.Join(", ", elections)}");
        }
        if (crashLeaderAfter is { } after)
        {
            output.WriteLine(crashed is not null
                ? $"  crash           node {crashed.NodeId}, leader of term {crashed.Term}, when {after} tasks had completed; restarted after the run"
                : _crash is null
                    ? $"  crash           none: fewer than {after} tasks completed"
                    : $"  crash           none: no leader existed when {after} tasks had completed");
        }
        if (_abort.Reason is { } reason)
        {
            output.WriteLine($"  stopped early   {ledger.NotSubmitted,5}   tasks never submitted: {reason}");
        }
        output.WriteLine(ledger.ExactlyOnce
            ? "result: every task completed exactly once"
            : "result: NOT every task completed exactly once");
    }

    private static string Leaders(IReadOnlyList<(long Term, int Leader)> leaders) => leaders.Count == 0
        ? "no leader seen"
        : string.Join(" -> ", leaders.Select(leader => $"node {leader.Leader} (term {leader.Term})"));
}
