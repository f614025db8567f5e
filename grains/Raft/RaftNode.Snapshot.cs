namespace RaftOrleans.Raft;

/// <summary>Log compaction and InstallSnapshot (section 7 and Figure 13 of the Raft paper).</summary>
public sealed partial class RaftNode
{
    /// <summary>
    /// The shell saved a snapshot of the state machine as of <paramref name="index"/> (applied already):
    /// the log forgets the entries it covers except the last <paramref name="keepEntries"/> of them. Those
    /// let a follower that is only a little behind catch up from the log (etcd keeps such a tail too); a
    /// follower that needs an entry the log no longer holds receives the snapshot.
    /// </summary>
    public void Compact(long index, long keepEntries = 0)
    {
        if (index > LastApplied)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"only applied entries (up to {LastApplied}) can be compacted");
        ArgumentOutOfRangeException.ThrowIfNegative(keepEntries);
        if (index <= SnapshotIndex) return;
        if (_log.TermAt(index) is null)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"the log no longer holds entry {index}");
        SnapshotIndex = index;
        _log.CompactTo(index - keepEntries);
        _configs.CompactTo(_log.PrefixIndex);
    }

    private void SendSnapshot(int peer, Progress progress)
    {
        progress.BecomeSnapshot(Now);
        // Metadata only: the shell streams the bytes of the snapshot it saved at this index, in chunks. That is
        // the latest snapshot, which may lie after the start of the log (see Compact).
        Send(new InstallSnapshot
        {
            From = Id, To = peer, Term = Term,
            LastIncludedIndex = SnapshotIndex, LastIncludedTerm = SnapshotTerm, Config = _configs.At(SnapshotIndex),
            Offset = 0, Data = Array.Empty<byte>(), Done = true,
        });
    }

    private void HandleInstallSnapshot(InstallSnapshot request)
    {
        if (Role == Role.Leader)
        {
            throw new InvalidOperationException($"node {Id} leads term {Term} but node {request.From} sent a snapshot in it");
        }
        if (Role is Role.Candidate or Role.PreCandidate) BecomeFollower(Term, request.From);
        LeaderId = request.From;
        ResetElectionTimer(); // every chunk is word from the leader, so a long transfer starts no election

        var index = request.LastIncludedIndex;
        if (index <= CommitIndex)
        {
            // Nothing new: this node's committed prefix already covers the snapshot, and it matches the leader's.
            // Said at the first chunk, so a leader that sends it again (its last reply was lost) stops at once
            // instead of streaming the whole state for nothing.
            Reply(SnapshotReply(request.From, done: true, matchIndex: CommitIndex));
            return;
        }

        if (!request.Done)
        {
            Reply(SnapshotReply(request.From, done: false, matchIndex: 0));
            return;
        }

        // Figure 13: keep the entries after the snapshot only if the log agrees with it at its last index.
        var agrees = _log.TermAt(index) == request.LastIncludedTerm;
        if (agrees)
        {
            _log.CompactTo(index);
            _configs.CompactTo(index); // the log agrees up to the snapshot: so do the configurations it carried
        }
        else
        {
            _log.ResetTo(index, request.LastIncludedTerm);
            _configs.ResetTo(index, request.Config);
        }
        ConfigurationChanged();
        // A discarded log is no longer this node's durable log: until the snapshot's save reports it stable
        // (StableTo), count only what the previous snapshot covered (found by the simulation, seed 8636 of 3).
        if (!agrees) _stableIndex = Math.Min(_stableIndex, SnapshotIndex);
        SnapshotIndex = index;
        _ready.DropPersistUpTo(agrees ? index : long.MaxValue);
        CommitIndex = index;
        _handedOut = index; // the snapshot is handed out instead of the entries it covers; AppliedTo follows its restore
        _ready.Snapshot = new SnapshotInstall(index, request.LastIncludedTerm, DiscardLog: !agrees);
        Reply(SnapshotReply(request.From, done: true, matchIndex: index));
    }

    private void HandleSnapshotReply(InstallSnapshotReply reply)
    {
        if (Role != Role.Leader || !_progress.TryGetValue(reply.From, out var progress)) return; // not (any more) a member
        progress.HeardFrom(Now);
        if (!reply.Done)
        {
            progress.SnapshotProgressed(Now);
            return;
        }

        progress.Acknowledge(reply.MatchIndex);
        if (progress.Mode == ReplicationMode.Snapshot) progress.BecomeProbe();
        MaybeCommit();
        SendAppends(reply.From, heartbeat: false);
    }

    private InstallSnapshotReply SnapshotReply(int to, bool done, long matchIndex) =>
        new() { From = Id, To = to, Term = Term, Done = done, MatchIndex = matchIndex };
}
