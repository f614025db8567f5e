using RaftOrleans.Kv;
using RaftOrleans.Raft;
using RaftOrleans.Status;

namespace RaftOrleans;

/// <summary>Applying committed entries to the KV state machine and answering the clients waiting on them.</summary>
public sealed partial class RaftNodeGrain
{
    private const int ElectionsKept = 5;
    private readonly List<ElectionSummary> _electionsWon = new();
    private (Role Role, long Term, int? Leader) _observed;

    private void Apply(List<LogEntry> committed)
    {
        foreach (var entry in committed)
        {
            KvResult? result = entry.IsNoOp ? null : _kv.Apply(KvCommandCodec.Decode(entry.Data));
            _appliedIndex = entry.Index;
            LogApplied(NodeId, entry.Index, entry.Term);
            if (!_pending.Remove(entry.Index, out var pending)) continue;
            // Another term at our index means a new leader replaced our entry: the request was lost, and the
            // gateway retries it under the same id (so it still takes effect at most once).
            pending.Completion.TrySetResult(pending.Term == entry.Term && result is not null
                ? result
                : KvResult.NotLeader(_core?.LeaderId));
        }
    }

    /// <summary>Answers the reads the core confirmed, from the state just brought up to their read index.</summary>
    private void AnswerReads(Ready ready)
    {
        foreach (var read in ready.ReadStates)
        {
            if (_reads.Remove(read.RequestId, out var get)) get.Completion.TrySetResult(_kv.Read(get.Key));
        }
        foreach (var id in ready.FailedReads)
        {
            if (_reads.Remove(id, out var get)) get.Completion.TrySetResult(KvResult.NotLeader(_core?.LeaderId));
        }
    }

    /// <summary>Logs leader changes and settles the proposals a deposed leader can no longer vouch for.</summary>
    private void ObserveRole(RaftNode core)
    {
        (Role Role, long Term, int? Leader) now = (core.Role, core.Term, core.LeaderId);
        if (now == _observed) return;
        var before = _observed;
        _observed = now;

        if (core.Role == Role.Leader && before.Role != Role.Leader && core.LastElection is { } won)
        {
            _electionsWon.Add(new ElectionSummary(won.Term, won.Leader, DateTimeOffset.UtcNow,
                won.Duration.TotalMilliseconds, won.Voters.ToArray()));
            if (_electionsWon.Count > ElectionsKept) _electionsWon.RemoveAt(0);
            LogElected(NodeId, won.Term, string.Join(",", won.Voters), won.Duration.TotalMilliseconds);
        }
        else if (before.Role == Role.Leader && core.Role != Role.Leader)
        {
            LogSteppedDown(NodeId, core.Term);
            // Their entries may still commit; the gateway's retry (same client id and sequence) then gets the
            // recorded answer instead of a second application.
            FailPending(error: null);
        }
        else if (core.Role == Role.Candidate && (before.Role != Role.Candidate || before.Term != core.Term))
        {
            LogCampaigning(NodeId, core.Term, before.Leader);
        }
        else if (before.Leader != now.Leader && now.Leader is { } leader)
        {
            LogFollowing(NodeId, leader, core.Term);
        }
    }

    /// <summary>Ends every waiting proposal: with <paramref name="error"/>, or with NotLeader when it is null.</summary>
    private void FailPending(Exception? error)
    {
        foreach (var pending in _pending.Values)
        {
            if (error is not null) pending.Completion.TrySetException(error);
            else pending.Completion.TrySetResult(KvResult.NotLeader(_core?.LeaderId));
        }
        _pending.Clear();
        if (error is null) return; // a deposed leader's reads come back from the core as FailedReads
        foreach (var get in _reads.Values) get.Completion.TrySetException(error);
        _reads.Clear();
    }
}
