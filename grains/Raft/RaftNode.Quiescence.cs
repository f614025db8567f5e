namespace RaftOrleans.Raft;

/// <summary>
/// Quiescence of an idle group (CockroachDB's quiesced ranges): a leader whose followers all hold its whole log,
/// committed, and who has nothing under way, stops its heartbeats, and its followers stop their election timers.
/// An idle group then costs nothing per heartbeat interval. Its members still need to learn when a peer goes away:
/// the host's silo sends one message per heartbeat interval to each other silo for all the quiesced replicas it hosts,
/// and tells a quiesced replica whose peer's silo fell silent for an election timeout (<see cref="PeerSilent"/>). A
/// follower then runs its election timer again, counting the minimum election timeout as already passed; a leader
/// wakes and heartbeats again, so that check-quorum makes it step down if it lost its majority.
/// <para>
/// Safety never depends on it: a quiesced follower is only a follower whose timer is slow, and a quiesced leader one
/// that sends nothing. Reads still confirm leadership with a round of heartbeats (a read wakes the leader), so a
/// quiesced leader that was deposed behind a partition answers no read and commits nothing. Anything but the
/// answers that quiesce it wakes a leader (a proposal, a read, a transfer, any message from a peer, such as the
/// pre-vote of a follower that restarted unquiesced); any AppendEntries without the flag, any campaign, any new term
/// wakes a follower.
/// </para>
/// </summary>
public sealed partial class RaftNode
{
    private bool _quiesced;
    private long _quiesceRound; // the leader's latest round: of quiescing heartbeats, or bumped by any other AppendEntries (answers to older ones are stale)

    /// <summary>
    /// Leader: its heartbeats (and check-quorum) have stopped, every member holds its whole log as committed. Follower:
    /// its election timer has stopped until its leader, or the host's <see cref="PeerSilent"/>, says otherwise.
    /// </summary>
    public bool Quiesced => _quiesced;

    /// <summary>
    /// The host saw no sign of life from the silo of <paramref name="peer"/> for <paramref name="silentFor"/> while this
    /// node was quiesced in <paramref name="term"/>. A follower whose leader that is: the election timer runs again, as
    /// if it had run since the silence reached the minimum election timeout, so the node campaigns when the rest of its
    /// randomized timeout has passed. A leader one of whose followers it is: it wakes. Ignored when the node is no
    /// longer quiesced in that term with that peer (a stale report).
    /// <para>
    /// Not the whole silence: the silos notice it at their beats, all about one minimum election timeout after the
    /// leader's last, so every follower whose timeout was shorter than that would campaign at the same moment. Their
    /// pre-votes then succeed together and their real votes split (seen in cluster mode: four candidates within 9 ms,
    /// and a second election 150–300 ms later). Counting from the minimum keeps the randomized spread that makes one
    /// candidate go first, as in an election after missed heartbeats.
    /// </para>
    /// </summary>
    public void PeerSilent(long term, int peer, TimeSpan silentFor)
    {
        if (!_quiesced || Term != term) return;
        if (Role == Role.Leader)
        {
            if (_progress.ContainsKey(peer)) WakeUp(mustHearAgain: true);
            return;
        }
        if (Role != Role.Follower || LeaderId != peer) return;
        _quiesced = false;
        _electionElapsed = silentFor < _options.ElectionTimeoutMin ? silentFor : _options.ElectionTimeoutMin;
        MaybeCampaign();
    }

    /// <summary>
    /// Whether heartbeats would tell the followers nothing new: quiescence is on, nothing is under way (no transfer,
    /// no read waiting, no configuration change in flight), the whole log is committed, durable here and of this term
    /// at its end, and every follower holds all of it with nothing in flight.
    /// </summary>
    private bool MayQuiesce()
    {
        if (!_options.Quiesce || Role != Role.Leader || _transferTarget is not null || _reads.Count > 0 || _leaving.Length > 0) return false;
        var last = _log.LastIndex;
        if (CommitIndex != last || _stableIndex != last || _log.LastTerm != Term) return false;
        foreach (var peer in _peers)
        {
            var progress = _progress[peer];
            if (progress.Mode != ReplicationMode.Replicate || progress.MatchIndex != last || progress.InflightCount != 0) return false;
        }
        return true;
    }

    /// <summary>Leader's heartbeat: a new round of quiescing heartbeats, at the end of the log every follower holds.</summary>
    private void SendQuiesceRound()
    {
        _quiesceRound++;
        foreach (var peer in _peers) SendEmptyAppend(peer, _log.LastIndex, _log.LastTerm, _quiesceRound);
        MaybeQuiesce(); // a group of one has nobody to wait for
    }

    /// <summary>Leader, after an answer: quiesces once every follower answered this round's heartbeat by quiescing.</summary>
    private void MaybeQuiesce()
    {
        if (_quiesced || _quiesceRound == 0 || !MayQuiesce()) return; // (round 0: none was sent; every answer carries 0 then)
        foreach (var peer in _peers)
        {
            if (_progress[peer].QuiescedRound != _quiesceRound) return;
        }
        _quiesced = true;
    }

    /// <summary>
    /// Leader: heartbeats start again. Woken by a request (<paramref name="mustHearAgain"/> false), every follower counts
    /// as heard from now, as for a new leader: it heard nothing while quiesced, by design, and each follower's last
    /// answer was its quiescence; check-quorum then judges from the next election timeout on, and a transfer may pick
    /// any follower (one whose silo died meanwhile fails the transfer, which ends after an election timeout like any
    /// other). Woken because a follower's silo fell silent, it must hear from a majority again within one election
    /// timeout or step down (it may be the one cut off), so nobody counts as heard from, and it heartbeats at once.
    /// </summary>
    private void WakeUp(bool mustHearAgain = false)
    {
        if (!_quiesced || Role != Role.Leader) return;
        _quiesced = false;
        _quiesceRound++; // answers to the rounds before this never count again
        _heartbeatElapsed = mustHearAgain ? _options.HeartbeatInterval : TimeSpan.Zero;
        _checkQuorumElapsed = TimeSpan.Zero;
        foreach (var progress in _progress.Values)
        {
            progress.RecentActive = !mustHearAgain;
            if (!mustHearAgain) progress.LastContact = Now;
        }
    }

    /// <summary>Follower, on an AppendEntries it accepted up to <paramref name="lastNew"/>: quiesces if asked and its log ends there, all committed.</summary>
    private long QuiesceIfAsked(AppendEntries request, long lastNew)
    {
        if (request.QuiesceRound == 0 || !_options.Quiesce || lastNew != _log.LastIndex || CommitIndex != lastNew) return 0;
        _quiesced = true;
        return request.QuiesceRound;
    }

    /// <summary>Whether a message must wake this quiesced leader: anything but an answer to its current round of quiescing.</summary>
    private bool Wakes(RaftMessage message) =>
        message is not AppendEntriesReply { Success: true } reply || reply.QuiescedRound != _quiesceRound;
}
