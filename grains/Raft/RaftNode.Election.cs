namespace RaftOrleans.Raft;

/// <summary>Leader election (section 5.2) and the election restriction (section 5.4.1).</summary>
public sealed partial class RaftNode
{
    private void Campaign()
    {
        Term++;
        VotedFor = Id;
        _hardStateDirty = true;
        Role = Role.Candidate;
        LeaderId = null;
        _votes.Clear();
        _votes.Add(Id);
        _campaignStartedAt = Now;
        ResetElectionTimer();

        if (_votes.Count >= _options.Quorum)
        {
            BecomeLeader();
            return;
        }
        foreach (var peer in _peers)
        {
            Send(new RequestVote
            {
                From = Id, To = peer, Term = Term,
                LastLogIndex = _log.LastIndex, LastLogTerm = _log.LastTerm,
            });
        }
    }

    private void HandleRequestVote(RequestVote request)
    {
        // One vote per term (the vote is persisted before the reply leaves), and only for a candidate whose
        // log holds everything this node's does: that is what keeps committed entries in every future leader.
        var free = VotedFor is null || VotedFor == request.From;
        var granted = free && _log.IsUpToDate(request.LastLogIndex, request.LastLogTerm);
        if (granted)
        {
            if (VotedFor != request.From) _hardStateDirty = true;
            VotedFor = request.From;
            ResetElectionTimer(); // Figure 2: granting a vote counts as hearing from a would-be leader
        }
        Reply(VoteReply(request.From, granted));
    }

    private void HandleVoteReply(RequestVoteReply reply)
    {
        if (Role != Role.Candidate || !reply.VoteGranted) return;
        _votes.Add(reply.From);
        if (_votes.Count >= _options.Quorum) BecomeLeader();
    }

    private void BecomeLeader()
    {
        Role = Role.Leader;
        LeaderId = Id;
        LastElection = new ElectionRecord(Term, Id, _campaignStartedAt, Now, _votes.Order().ToArray());
        _votes.Clear();
        _heartbeatElapsed = TimeSpan.Zero;
        _checkQuorumElapsed = TimeSpan.Zero;
        _progress.Clear();
        foreach (var peer in _peers)
        {
            _progress[peer] = new Progress(_log.LastIndex + 1) { LastContact = Now, RecentActive = true };
        }
        // A no-op of the new term: entries of earlier terms commit only under an entry of the current term
        // (Figure 8), so without it a quiet leader could never tell clients what is committed.
        AppendLocal(LogEntry.NoOp(_log.LastIndex + 1, Term));
        foreach (var peer in _peers) SendAppends(peer, heartbeat: true);
    }

    private RequestVoteReply VoteReply(int to, bool granted) =>
        new() { From = Id, To = to, Term = Term, VoteGranted = granted };
}
