using RaftOrleans.KeyValue.Sessions;
using RaftOrleans.Kv;

namespace RaftOrleans.Client.Commands;

/// <summary>
/// Every task of one `tasks` run: how its put was answered and what reading its key back found, the
/// figures that follow, and whether each task took effect exactly once.
/// </summary>
internal sealed class TaskLedger
{
    private readonly RequestOutcome?[] _puts;
    private readonly KvResult?[] _reads;

    public TaskLedger(string runId, int count)
    {
        RunId = runId;
        Count = count;
        _puts = new RequestOutcome?[count];
        _reads = new KvResult?[count];
    }

    public string RunId { get; }

    public int Count { get; }

    /// <summary>Task n writes its own key, so any second write of it is visible.</summary>
    public string Key(int task) => $"task-{RunId}-{task}";

    public static string Value(int task) => $"done-{task}";

    public void RecordPut(int task, RequestOutcome outcome) => _puts[task - 1] = outcome;

    public void RecordRead(int task, KvResult result) => _reads[task - 1] = result;

    /// <summary>Put answered Ok.</summary>
    public int Completed => Tasks.Count(task => Put(task)?.Succeeded == true);

    /// <summary>Never sent: the run stopped early because the cluster had no leader.</summary>
    public int NotSubmitted => Tasks.Count(task => Put(task) is null);

    /// <summary>Sent, but no definitive answer to the put after every resend.</summary>
    public int Failed => Tasks.Count(task => Put(task) is { Succeeded: false } put && put.Result.Status != KvStatus.KeyExists);

    /// <summary>Put answered KeyExists: nobody else writes this key, so a retry found its own earlier write applied.</summary>
    public int AnsweredKeyExists => Tasks.Count(task => Put(task)?.Result.Status == KvStatus.KeyExists);

    public int Resends => Tasks.Sum(task => Put(task)?.Resends ?? 0);

    public int TasksResent => Tasks.Count(task => Put(task)?.Resends > 0);

    public int ReadMatching => Tasks.Count(task => Read(task) is { Status: KvStatus.Ok } read && read.Value == Value(task));

    /// <summary>The key holds something other than its task's value: written by someone else, or twice.</summary>
    public int ReadWrongValue => Tasks.Count(task => Read(task) is { Status: KvStatus.Ok } read && read.Value != Value(task));

    public int ReadMissing => Tasks.Count(task => Read(task)?.Status == KvStatus.NotFound);

    public int ReadUnanswered => Tasks.Count(task => Read(task) is null or { IsDefinitive: false });

    /// <summary>Acknowledged (Ok) but not there: a committed write lost.</summary>
    public int LostAfterOk => Tasks.Count(task => Put(task)?.Succeeded == true && Read(task)?.Status == KvStatus.NotFound);

    /// <summary>No definitive answer, yet applied: allowed ("may still take effect once, never twice").</summary>
    public int FailedYetApplied => Tasks.Count(task =>
        Put(task) is not { Succeeded: true } && Read(task) is { Status: KvStatus.Ok } read && read.Value == Value(task));

    public int Duplicates => AnsweredKeyExists + ReadWrongValue;

    public bool ExactlyOnce => Completed == Count && Duplicates == 0 && ReadMatching == Count;

    private IEnumerable<int> Tasks => Enumerable.Range(1, Count);

    private RequestOutcome? Put(int task) => _puts[task - 1];

    private KvResult? Read(int task) => _reads[task - 1];
}
