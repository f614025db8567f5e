namespace RaftOrleans.Raft;

/// <summary>Log replication (section 5.3), the commit rule (section 5.4.2) and the leader's timers.</summary>
public sealed partial class RaftNode
{
    private void TickLeader(TimeSpan elapsed)
    {
        if (_quiesced) return;
        TickTransfer(elapsed);
        _checkQuorumElapsed += elapsed;
        if (_checkQuorumElapsed >= _options.ElectionTimeoutMin)
        {
            _checkQuorumElapsed = TimeSpan.Zero;
            // Check-quorum: a leader cut off from a majority steps down instead of leading nobody, so clients
            // stop waiting on it and go find the leader the majority has elected meanwhile.
            if (!QuorumActive())
            {
                BecomeFollower(Term, null);
                return;
            }
            foreach (var progress in _progress.Values) progress.RecentActive = false;
        }

        _heartbeatElapsed += elapsed;
        if (_heartbeatElapsed < _options.HeartbeatInterval) return;
        _heartbeatElapsed = TimeSpan.Zero;
        if (MayQuiesce())
        {
            SendQuiesceRound();
            return;
        }
        foreach (var peer in _peers)
        {
            var progress = _progress[peer];
            if (progress.Mode == ReplicationMode.Snapshot)
            {
                // Resend the snapshot only if it seems lost. Until then, the follower still hears a heartbeat each
                // interval: the chunks alone kept its election timer quiet only while they flowed, so one lost or
                // slow chunk (or a lost one-chunk snapshot) made it campaign long before the retry, depose this
                // leader, and have the next one start the transfer over, again and again (found by the
                // simulation: seed 8618 with 5 nodes took 21 elections and 5.3 s to settle after the heal, 6 and
                // 0.6 s with this). The heartbeat carries no entries and checks only the snapshot's last entry,
                // which both sides can judge; a rejection of it is stale in this mode (see HandleAppendReply).
                if (Now - progress.SnapshotSentAt < _options.SnapshotRetryInterval)
                {
                    SendEmptyAppend(peer, _log.PrefixIndex, _log.PrefixTerm);
                    continue;
                }
                progress.BecomeProbe();
            }
            if (progress.Mode == ReplicationMode.Replicate && progress.OldestInflightSentAt is { } sentAt)
            {
                // Batches are in flight. Until the oldest is an election timeout old, it is only slow (a busy
                // follower flushing its disk): the follower gets a heartbeat at the index it is known to hold, so
                // its election timer stays quiet even while those batches wait, and they are not sent again. A
                // batch that old was lost (or its follower is down): restart from what the follower has. (Resending
                // after one heartbeat interval, as before, turned every slow flush under load into a probe and a
                // resend of the whole window, and the follower could still time out and depose the leader.)
                if (Now - sentAt < _options.ElectionTimeoutMin)
                {
                    if (_log.TermAt(progress.MatchIndex) is { } matchTerm) SendEmptyAppend(peer, progress.MatchIndex, matchTerm);
                    continue;
                }
                progress.BecomeProbe();
            }
            progress.ProbeSent = false; // a probe is retried once per heartbeat
            SendAppends(peer, heartbeat: true);
        }
    }

    /// <summary>A majority of the voters was heard from this round (this leader counts when it votes itself).</summary>
    private bool QuorumActive() =>
        _configs.Latest.Voters.Count(v => v == Id || (_progress.TryGetValue(v, out var p) && p.RecentActive)) >= _configs.Latest.Quorum;

    /// <summary>
    /// The highest value a majority of the voters has reached: this leader's own <paramref name="own"/> (if it votes)
    /// and each other voter's <paramref name="of"/> its progress. Commits and read rounds are confirmed this way; a
    /// learner's copy never counts, nor does a leader's that is removing itself (thesis 4.2.2).
    /// </summary>
    private long VotersReached(long own, Func<Progress, long> of)
    {
        var config = _configs.Latest;
        Span<long> values = stackalloc long[config.Voters.Length];
        for (var i = 0; i < values.Length; i++)
        {
            var voter = config.Voters[i];
            values[i] = voter == Id ? own : _progress.TryGetValue(voter, out var p) ? of(p) : 0;
        }
        values.Sort();
        return values[values.Length - config.Quorum];
    }

    /// <summary>
    /// Sends what <paramref name="peer"/> lacks, within its flow-control window. With
    /// <paramref name="heartbeat"/> it sends an AppendEntries even when there is nothing new.
    /// </summary>
    private void SendAppends(int peer, bool heartbeat)
    {
        var progress = _progress[peer];
        if (progress.Mode == ReplicationMode.Snapshot) return;
        if (progress.NextIndex <= _log.PrefixIndex)
        {
            // What this follower needs next was compacted away: only the snapshot can bring it up to date.
            SendSnapshot(peer, progress);
            return;
        }
        if (progress.Mode == ReplicationMode.Probe)
        {
            if (progress.ProbeSent) return;
            if (!heartbeat && progress.NextIndex > _log.LastIndex) return;
            SendAppend(peer, progress);
            progress.ProbeSent = true;
            return;
        }

        var sent = false;
        while (progress.NextIndex <= _log.LastIndex && progress.InflightCount < _options.MaxInflightAppends)
        {
            var last = SendAppend(peer, progress);
            progress.NextIndex = last + 1;
            progress.RecordSent(last, Now);
            sent = true;
        }
        if (heartbeat && !sent && progress.InflightCount == 0) SendAppend(peer, progress);
    }

    /// <summary>Sends one AppendEntries from the peer's next index; returns the last index it carries.</summary>
    private long SendAppend(int peer, Progress progress)
    {
        var prev = progress.NextIndex - 1;
        var prevTerm = _log.TermAt(prev)
            ?? throw new InvalidOperationException($"entry {prev} for node {peer} is no longer in the log");
        var entries = _log.Slice(progress.NextIndex, _log.LastIndex, _options.MaxEntriesPerAppend);
        Send(new AppendEntries
        {
            From = Id, To = peer, Term = Term,
            PrevLogIndex = prev, PrevLogTerm = prevTerm, Entries = entries, LeaderCommit = CommitIndex,
            ReadRound = _readRound,
        });
        return prev + entries.Length;
    }

    /// <summary>A heartbeat: no entries, checked at (<paramref name="prev"/>, <paramref name="prevTerm"/>); with a <paramref name="quiesceRound"/>, it asks the follower to quiesce.</summary>
    private void SendEmptyAppend(int peer, long prev, long prevTerm, long quiesceRound = 0) => Send(new AppendEntries
    {
        From = Id, To = peer, Term = Term, PrevLogIndex = prev, PrevLogTerm = prevTerm,
        Entries = Array.Empty<LogEntry>(), LeaderCommit = CommitIndex, ReadRound = _readRound, QuiesceRound = quiesceRound,
    });

    private void HandleAppendEntries(AppendEntries request)
    {
        if (Role == Role.Leader)
        {
            // Election safety says this cannot happen; if it does, storage lost a vote. Never carry on.
            throw new InvalidOperationException($"node {Id} leads term {Term} but node {request.From} sent AppendEntries in it");
        }
        if (Role is Role.Candidate or Role.PreCandidate) BecomeFollower(Term, request.From);
        LeaderId = request.From;
        _quiesced = false; // until this request, if it asks, proves there is nothing left to hear
        ResetElectionTimer();

        var prev = request.PrevLogIndex;
        var entries = request.Entries;
        if (prev < _log.PrefixIndex)
        {
            // This node's snapshot already covers part of the request; those entries are committed, so they
            // match the leader's. Check the rest from the snapshot's end.
            var covered = (int)Math.Min(_log.PrefixIndex - prev, entries.Length);
            entries = entries[covered..];
            prev += covered;
            if (prev < _log.PrefixIndex)
            {
                Reply(AppendSucceeded(request, prev));
                return;
            }
        }
        var termAtPrev = _log.TermAt(prev);
        if (termAtPrev is null)
        {
            Reply(AppendRejected(request, conflictTerm: 0, conflictIndex: _log.LastIndex + 1));
            return;
        }
        if (termAtPrev != (prev == request.PrevLogIndex ? request.PrevLogTerm : _log.PrefixTerm))
        {
            Reply(AppendRejected(request, termAtPrev.Value, _log.FirstIndexOfTermAt(prev, termAtPrev.Value)));
            return;
        }

        var configChanged = false;
        foreach (var entry in entries)
        {
            var existing = _log.TermAt(entry.Index);
            if (existing == entry.Term) continue; // already held: log matching says the prefix agrees too
            if (existing is not null)
            {
                if (entry.Index <= CommitIndex)
                {
                    throw new InvalidOperationException(
                        $"node {Id}: leader {request.From} conflicts with committed entry {entry.Index}");
                }
                _log.TruncateFrom(entry.Index);
                _stableIndex = Math.Min(_stableIndex, entry.Index - 1);
                // A configuration that came with the dropped suffix was never committed: the one before it is in force again.
                configChanged |= _configs.TruncateFrom(entry.Index);
            }
            configChanged |= AppendToLog(entry);
            _ready.AddToPersist(entry);
        }
        if (configChanged) ConfigurationChanged();

        // Only what this request proved to match counts: entries past it may still be a stale suffix.
        var lastNew = prev + entries.Length;
        var commit = Math.Min(request.LeaderCommit, lastNew);
        if (commit > CommitIndex) CommitIndex = commit;

        Reply(AppendSucceeded(request, lastNew) with { QuiescedRound = QuiesceIfAsked(request, lastNew) });
    }

    private AppendEntriesReply AppendSucceeded(AppendEntries request, long matchIndex) => new()
    {
        From = Id, To = request.From, Term = Term, Success = true, MatchIndex = matchIndex,
        RejectedPrevIndex = 0, ConflictTerm = 0, ConflictIndex = 0, ReadRound = request.ReadRound,
    };

    private AppendEntriesReply AppendRejected(AppendEntries request, long conflictTerm, long conflictIndex) => new()
    {
        From = Id, To = request.From, Term = Term, Success = false, MatchIndex = 0,
        RejectedPrevIndex = request.PrevLogIndex, ConflictTerm = conflictTerm, ConflictIndex = conflictIndex,
        ReadRound = request.ReadRound,
    };

    private void HandleAppendReply(AppendEntriesReply reply)
    {
        if (Role != Role.Leader || !_progress.TryGetValue(reply.From, out var progress)) return; // not (any more) a member
        progress.HeardFrom(Now);
        // Any answer in this term, even a rejection, shows the follower still took this node for its leader.
        if (reply.ReadRound > progress.ReadRoundAcked) progress.ReadRoundAcked = reply.ReadRound;

        progress.QuiescedRound = reply.Success ? reply.QuiescedRound : 0;
        if (reply.Success)
        {
            var wasProbing = progress.Mode == ReplicationMode.Probe;
            progress.Acknowledge(reply.MatchIndex);
            if (wasProbing) progress.BecomeReplicate();
            MaybeCommit();
            MaybeFinishTransfer(reply.From);
            MaybeQuiesce();
            return;
        }

        // A rejection that answers an older request than the one the leader now relies on tells nothing new.
        // One at or below MatchIndex is stale in either mode: the follower has since proved it holds that
        // prefix, and a delayed rejection of it, arriving while probing from MatchIndex + 1, must not move
        // NextIndex below MatchIndex + 1 (found by the simulation, seed 10 with 5 nodes).
        // In Snapshot mode every rejection is stale too: it answers an append sent before the snapshot (one per
        // pipelined append) or a heartbeat anchored at the snapshot, and the snapshot on its way is what will
        // repair this follower. Acting on it started the transfer over each time; with the heartbeats of
        // Snapshot mode, every interval, so a follower never got a whole snapshot (simulation, seed 9 with 3 nodes).
        // Except, in Replicate mode, a refusal of prev == MatchIndex while more was sent. Pipelined appends may arrive
        // out of order (Orleans keeps no order between calls): the follower refused an append that overtook the one
        // before it, then took that one, so it matches up to the refused append's prev and lacks what that append
        // carried. No later answer need show it (under closed-loop load nothing more is proposed until those entries
        // commit), so the leader sends on from MatchIndex + 1 now rather than count the append lost an election timeout
        // later. At worst (the entries reached the follower again meanwhile) it sends them twice.
        var overtaken = progress.Mode == ReplicationMode.Replicate && reply.RejectedPrevIndex == progress.MatchIndex
            && progress.NextIndex > progress.MatchIndex + 1;
        var stale = !overtaken && (reply.RejectedPrevIndex <= progress.MatchIndex
            || progress.Mode == ReplicationMode.Snapshot
            || (progress.Mode == ReplicationMode.Probe && reply.RejectedPrevIndex != progress.NextIndex - 1));
        if (stale) return;

        // Jump over the follower's whole conflicting term (or to its end, if its log is short).
        var next = reply.ConflictIndex;
        if (reply.ConflictTerm > 0 && _log.LastIndexOfTerm(reply.ConflictTerm) is { } lastOfTerm)
        {
            next = lastOfTerm + 1;
        }
        progress.BecomeProbe();
        // (An overtaken append's refusal is at MatchIndex itself: its upper bound is then MatchIndex + 1 too.)
        progress.NextIndex = Math.Clamp(next, progress.MatchIndex + 1, Math.Max(reply.RejectedPrevIndex, progress.MatchIndex + 1));
        SendAppends(reply.From, heartbeat: true);
    }

    /// <summary>
    /// Commits the highest index a majority holds, but only if it is of the current term (section 5.4.2,
    /// Figure 8): counting replicas of an older term's entry is not enough, another leader could overwrite it.
    /// </summary>
    private void MaybeCommit()
    {
        if (Role != Role.Leader) return;
        // The leader's own log counts only as far as it is durable.
        var majorityIndex = VotersReached(_stableIndex, static p => p.MatchIndex);
        if (majorityIndex > CommitIndex && _log.TermAt(majorityIndex) == Term) CommitIndex = majorityIndex;
    }
}
