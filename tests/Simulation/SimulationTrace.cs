using RaftOrleans.Raft;

namespace RaftOrleans.Tests.Simulation;

/// <summary>
/// What happened, for replaying a failing seed by hand. Off in the seed sweeps (formatting every event would
/// cost more than simulating it); on in the replay test, which prints the tail that led to the failure.
/// </summary>
internal sealed class SimulationTrace(EventQueue clock, int capacity)
{
    private readonly Queue<string> _lines = new();

    public static SimulationTrace Off(EventQueue clock) => new(clock, 0);

    public bool Enabled => capacity > 0;

    public IReadOnlyCollection<string> Lines => _lines;

    public void Write(string line)
    {
        if (!Enabled) return;
        if (_lines.Count == capacity) _lines.Dequeue();
        _lines.Enqueue($"{clock.Now.TotalMilliseconds,9:0.000} ms  {line}");
    }

    public static string Describe(RaftMessage message) => message switch
    {
        RequestVote rv => $"{(rv.PreVote ? "PreVote" : "RequestVote")} {rv.From}->{rv.To} t{rv.Term} last ({rv.LastLogIndex},t{rv.LastLogTerm})",
        TimeoutNow t => $"TimeoutNow {t.From}->{t.To} t{t.Term}",
        RequestVoteReply r => $"{(r.PreVote ? "PreVoteReply" : "VoteReply")} {r.From}->{r.To} t{r.Term} {(r.VoteGranted ? "granted" : "refused")}",
        AppendEntries ae => $"Append {ae.From}->{ae.To} t{ae.Term} prev ({ae.PrevLogIndex},t{ae.PrevLogTerm}) " +
                            $"{Entries(ae.Entries)} commit {ae.LeaderCommit}",
        AppendEntriesReply r => r.Success
            ? $"AppendReply {r.From}->{r.To} t{r.Term} ok match {r.MatchIndex}"
            : $"AppendReply {r.From}->{r.To} t{r.Term} rejected prev {r.RejectedPrevIndex} conflict (t{r.ConflictTerm} from {r.ConflictIndex})",
        InstallSnapshot s => $"InstallSnapshot {s.From}->{s.To} t{s.Term} last ({s.LastIncludedIndex},t{s.LastIncludedTerm}) " +
                             $"bytes {s.Offset}+{s.Data.Length}{(s.Done ? " done" : "")}",
        InstallSnapshotReply r => $"SnapshotReply {r.From}->{r.To} t{r.Term} {(r.Done ? $"done match {r.MatchIndex}" : "chunk")}",
        _ => message.ToString(),
    };

    private static string Entries(LogEntry[] entries) => entries.Length == 0
        ? "[]"
        : $"[{string.Join(' ', entries.Select(e => $"{e.Index}:t{e.Term}"))}]";
}
