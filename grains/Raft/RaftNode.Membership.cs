namespace RaftOrleans.Raft;

/// <summary>
/// Membership changes, one server at a time (Raft thesis, chapter 4): each change adds or removes one voter (or only
/// a learner), so any majority of the old voters and any majority of the new ones share a node, and no two leaders
/// can be elected, nor two different entries committed, at one index in one term. A configuration takes effect when
/// appended; a leader takes the next change only once the previous one committed, and only once it has committed an
/// entry of its own term (thesis 4.1 and Ongaro's 2015 correction: otherwise a change of an earlier leader that never
/// committed could combine with its own into a two-node change). Chosen over joint consensus because every change an
/// operator needs (add a learner, promote it, remove a node) is a one-node change, and this is the simpler to get right.
/// </summary>
public sealed partial class RaftNode
{
    /// <summary>
    /// Asks the leader to change the configuration by <paramref name="change"/>. Appended: the new configuration is in
    /// force from the returned index and the change is done when that entry commits (comes out in
    /// <see cref="Ready.CommittedEntries"/>). Refused, changing nothing, when: this node does not lead; a previous change
    /// is not committed yet; the leader has not committed an entry of its term yet; a transfer is under way; the change
    /// does not fit the configuration (see <see cref="ClusterConfig.Apply"/>); or a learner to promote has not caught up.
    /// </summary>
    public MembershipResult ChangeMembership(MembershipChange change)
    {
        if (Role != Role.Leader) return MembershipResult.NotLeader(LeaderId);
        WakeUp();
        if (_transferTarget is { } target) return MembershipResult.Busy($"a leadership transfer to node {target} is under way; try again once it is over");
        if (_configs.LatestIndex > CommitIndex && !_options.PlantedBugConcurrentMembershipChanges)
        {
            return MembershipResult.Busy(
                $"the previous change (index {_configs.LatestIndex}: {_configs.Latest}) is not committed yet; one change at a time, try again once it is");
        }
        if (_log.TermAt(CommitIndex) != Term)
            return MembershipResult.Busy($"node {Id} was just elected and has not committed an entry of its term {Term} yet; try again in a moment");

        var (next, refusal) = _configs.Latest.Apply(change);
        if (next is null) return MembershipResult.Refused(refusal!);
        if (change.Kind == MembershipChangeKind.Promote && PromotionRefusal(change.Node) is { } notReady) return MembershipResult.Refused(notReady);

        if (StrictQuorumRefusal(next) is { } unsafeChange) return MembershipResult.Refused(unsafeChange);

        var entry = LogEntry.Configuration(_log.LastIndex + 1, Term, next.At(_log.LastIndex + 1));
        AppendLocal(entry);
        return MembershipResult.Appended(entry.Index, entry.Term, _configs.Latest);
    }

    /// <summary>Why learner <paramref name="node"/> may not become a voter yet, or null when it may: it must have answered lately, and lag little.</summary>
    private string? PromotionRefusal(int node)
    {
        if (!_progress.TryGetValue(node, out var progress)) return $"node {node} is the leader itself";
        if (!progress.Answered) return $"node {node} has not answered leader {Id} yet (is its silo up?); promote it once it has caught up";
        if (!IsLive(progress)) return $"node {node} has not answered leader {Id} for {(Now - progress.LastContact).TotalMilliseconds:F0} ms; promote it once it is back and has caught up";
        var lag = _log.LastIndex - progress.MatchIndex;
        if (lag > _options.PromotionMaxLag)
            return $"node {node} is {lag} entries behind the leader's log (at most {_options.PromotionMaxLag} to be promoted); wait for it to catch up (see `client member list`)";
        return null;
    }

    /// <summary>
    /// Why <paramref name="next"/> could not commit now, or null: a majority of its voters must be answering (this leader,
    /// if it votes, and voters heard from within an election timeout), or the change could never commit, check-quorum
    /// would depose this leader, and no node could be elected until the dead voters came back (etcd's strict
    /// reconfiguration check). With voters 1, 2, 3 and node 3 dead, removing node 2 would leave 1 and 3: refused.
    /// </summary>
    private string? StrictQuorumRefusal(ClusterConfig next)
    {
        var silent = next.Voters.Where(v => v != Id && !(_progress.TryGetValue(v, out var p) && p.Answered && IsLive(p))).ToArray();
        if (next.Voters.Length - silent.Length >= next.Quorum) return null;
        return $"the new configuration ({next}) needs {next.Quorum} voters answering to commit anything, but node(s) {string.Join(", ", silent)} " +
               $"have not answered leader {Id} lately; bring them back, or replace a dead node first (add, promote, then remove)";
    }

    /// <summary>
    /// The configuration in force changed (appended, dropped with a suffix, or replaced by a snapshot): the peers follow,
    /// and a leader starts or stops replicating to the nodes that came or went.
    /// </summary>
    /// <remarks>
    /// Until a change commits, a leader also replicates to the nodes it removes (they count toward nothing): a removed
    /// node must receive the entry that removes it, or, still a voter in its own eyes, it would go on campaigning (thesis
    /// 4.2.3). Once the change commits they are forgotten (<see cref="ForgetLeftPeers"/>).
    /// </remarks>
    private void ConfigurationChanged()
    {
        var config = _configs.Latest;
        _leaving = config.Index > CommitIndex
            ? _configs.At(config.Index - 1).Members.Where(m => m != Id && !config.Contains(m)).ToArray()
            : [];
        _peers = config.Members.Where(m => m != Id).Concat(_leaving).ToArray();
        if (Role != Role.Leader) return;
        foreach (var gone in _progress.Keys.Where(p => !_peers.Contains(p)).ToArray()) _progress.Remove(gone);
        // A node that just joined gets the entry that added it at once (the leader probes from it), as after an election.
        foreach (var peer in _peers) _progress.TryAdd(peer, NewProgress(config.Index));
        if (_transferTarget is { } target && !config.IsVoter(target)) _transferTarget = null;
    }

    /// <summary>Leader: once the change that removed them commits, the nodes that left get nothing more.</summary>
    private void ForgetLeftPeers()
    {
        if (_leaving.Length > 0 && CommitIndex >= _configs.LatestIndex) ConfigurationChanged();
    }

    /// <summary>A leader's view of a follower it knows nothing of yet: probe from <paramref name="next"/>.</summary>
    private Progress NewProgress(long next) => new(next) { LastContact = Now, RecentActive = true };

    /// <summary>
    /// A leader that removed itself steps down once that change commits (thesis 4.2.2):
    /// until then it leads and replicates the change but does not count itself in majorities. To save the others an
    /// election timeout, it first tells the most up-to-date voter to campaign at once, as a leadership transfer would.
    /// </summary>
    private void StepDownIfRemoved()
    {
        if (Role != Role.Leader || IsVoter(Id) || CommitIndex < _configs.LatestIndex) return;
        if (MostUpToDateLiveFollower() is { } successor && _progress[successor].MatchIndex == _log.LastIndex) SendTimeoutNow(successor);
        BecomeFollower(Term, null);
    }
}
