namespace RaftOrleans.Raft;

/// <summary>Leader election (section 5.2), the election restriction (section 5.4.1) and pre-vote (thesis 9.6).</summary>
public sealed partial class RaftNode
{
    /// <summary>
    /// Pre-vote: ask every peer whether it would vote for this node in the next term, without entering it. Only
    /// a majority of yeses starts the real election; a node that was cut off, or whose log is behind, or whose
    /// peers still hear from a leader, stays in its term and disturbs no one.
    /// </summary>
    private void PreCampaign()
    {
        StartCampaign(Role.PreCandidate);
        if (HasQuorumOfVotes)
        {
            Campaign();
            return;
        }
        foreach (var voter in OtherVoters) Send(VoteRequest(voter, Term + 1, preVote: true));
    }

    private void Campaign()
    {
        Term++;
        VotedFor = Id;
        _hardStateDirty = true;
        StartCampaign(Role.Candidate);
        if (HasQuorumOfVotes)
        {
            BecomeLeader();
            return;
        }
        foreach (var voter in OtherVoters) Send(VoteRequest(voter, Term, preVote: false));
    }

    /// <summary>The voters of the configuration in force, but this node: whom a candidate asks.</summary>
    private IEnumerable<int> OtherVoters => _configs.Latest.Voters.Where(v => v != Id);

    /// <summary>Yeses from a majority of the voters of the configuration in force (a learner's yes does not count).</summary>
    private bool HasQuorumOfVotes => _votes.Count(IsVoter) >= _configs.Latest.Quorum;

    private void StartCampaign(Role role)
    {
        // A real campaign that follows a won pre-vote keeps that round's start: the election took both rounds.
        if (!(Role == Role.PreCandidate && role == Role.Candidate)) _campaignStartedAt = Now;
        Role = role;
        LeaderId = null;
        _quiesced = false;
        _votes.Clear();
        _votes.Add(Id);
        ResetElectionTimer();
    }

    private void HandleRequestVote(RequestVote request)
    {
        if (request.PreVote)
        {
            HandlePreVote(request);
            return;
        }
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
        Reply(VoteReply(request.From, granted, preVote: false));
    }

    /// <summary>
    /// Would this node vote for the sender in the term it names? Yes if it could (a later term, or this term with
    /// its vote still free and no leader known), if the sender's log is up to date, and if this node has not heard
    /// from a leader within the minimum election timeout: a live leader is not to be replaced. Nothing changes here.
    /// </summary>
    private void HandlePreVote(RequestVote request)
    {
        var couldVote = request.Term > Term || (request.Term == Term && LeaderId is null && (VotedFor is null || VotedFor == request.From));
        var granted = couldVote && !HearsFromALeader && _log.IsUpToDate(request.LastLogIndex, request.LastLogTerm);
        // Granted: the answer carries the term asked about. Refused: this node's own term, which tells a sender
        // that is behind where the cluster is.
        Reply(new RequestVoteReply { From = Id, To = request.From, Term = granted ? request.Term : Term, VoteGranted = granted, PreVote = true });
    }

    /// <summary>This node leads, or heard from its leader less than the minimum election timeout ago, or follows a quiesced leader whose silo still beats.</summary>
    private bool HearsFromALeader => Role == Role.Leader || (LeaderId is not null && (_quiesced || _electionElapsed < _options.ElectionTimeoutMin));

    private void HandleVoteReply(RequestVoteReply reply)
    {
        if (reply.PreVote)
        {
            // Only yeses about the term this node is asking for count (an old round's would carry an older term).
            if (Role != Role.PreCandidate || !reply.VoteGranted || reply.Term != Term + 1) return;
            _votes.Add(reply.From);
            if (HasQuorumOfVotes) Campaign();
            return;
        }
        if (Role != Role.Candidate || !reply.VoteGranted) return;
        _votes.Add(reply.From);
        if (HasQuorumOfVotes) BecomeLeader();
    }

    /// <summary>A pre-vote, or a yes to one: both name a term no one has entered, so neither makes anyone step down.</summary>
    private static bool IsAboutAFutureTerm(RaftMessage message) =>
        message is RequestVote { PreVote: true } or RequestVoteReply { PreVote: true, VoteGranted: true };

    private void BecomeLeader()
    {
        Role = Role.Leader;
        LeaderId = Id;
        _quiesced = false;
        LastElection = new ElectionRecord(Term, Id, _campaignStartedAt, Now, _votes.Order().ToArray());
        _votes.Clear();
        _heartbeatElapsed = TimeSpan.Zero;
        _checkQuorumElapsed = TimeSpan.Zero;
        _progress.Clear();
        foreach (var peer in _peers) _progress[peer] = NewProgress(_log.LastIndex + 1);
        // A no-op of the new term: entries of earlier terms commit only under an entry of the current term
        // (Figure 8), so without it a quiet leader could never tell clients what is committed.
        AppendLocal(LogEntry.NoOp(_log.LastIndex + 1, Term));
        foreach (var peer in _peers) SendAppends(peer, heartbeat: true);
    }

    private RequestVote VoteRequest(int to, long term, bool preVote) => new()
    {
        From = Id, To = to, Term = term, LastLogIndex = _log.LastIndex, LastLogTerm = _log.LastTerm, PreVote = preVote,
    };

    private RequestVoteReply VoteReply(int to, bool granted, bool preVote) =>
        new() { From = Id, To = to, Term = Term, VoteGranted = granted, PreVote = preVote };
}
