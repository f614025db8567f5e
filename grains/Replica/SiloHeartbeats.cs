using RaftOrleans.Raft;

namespace RaftOrleans.Replica;

/// <summary>
/// One silo's heartbeat for all its quiesced groups (CockroachDB's coalesced heartbeats of quiesced ranges): once per
/// heartbeat interval (<see cref="Beat"/>), one message to each other silo lists every quiesced leader hosted here
/// that has followers there, and the receiving silo (<see cref="Received"/>) notes for each of its quiesced followers
/// that its leader's silo is alive. A quiesced follower whose leader's beat stays away for the minimum election
/// timeout is told (its replica's <c>LeaderSilent</c>, on its own turn) and campaigns as if it had never quiesced.
/// 64 idle groups then cost one message per silo pair per interval, and no replica turn at all, instead of two
/// AppendEntries calls per follower per interval and a timer turn on every replica.
/// <para>
/// Free of Orleans: the host gives it a clock, which node ids live on this silo (their beats are delivered in place)
/// and how to reach another node's silo; the simulation runs this very class over its network. A beat also respects
/// the fault injection's cut links, at both ends. Thread-safe: replicas register from their turns, the host's timer
/// beats, other silos' beats arrive on any thread. Ordered maps: the simulation's runs must replay exactly.
/// </para>
/// </summary>
public sealed class SiloHeartbeats(TimeSpan silence, Func<TimeSpan> clock, Func<int, bool> isLocal, Action<int, LeaderBeat[]> sendTo)
{
    private readonly Lock _gate = new();
    private TimeSpan Now => clock();
    private readonly SortedDictionary<(string Group, int Node), QuiescedLeader> _leaders = new();
    private readonly SortedDictionary<(string Group, int Node), QuiescedFollower> _followers = new();

    /// <summary>
    /// The handle replica <paramref name="node"/> of <paramref name="group"/> reports its quiescence through.
    /// <paramref name="isCut"/>: whether its link to a peer is cut (fault injection). <paramref name="leaderSilent"/>:
    /// called (on any thread; the host brings it onto the replica's turn) with the leader's term, id and how long its
    /// silo has been silent, and again each silence for as long as the replica stays quiesced.
    /// </summary>
    public IReplicaQuiescence Join(string group, int node, Func<int, bool> isCut, Action<long, int, TimeSpan> leaderSilent) =>
        new Member(this, (group, node), isCut, leaderSilent);

    /// <summary>Quiesced leaders hosted here (for status and tests).</summary>
    public int Leaders { get { lock (_gate) return _leaders.Count; } }

    /// <summary>Quiesced followers hosted here (for status and tests).</summary>
    public int Followers { get { lock (_gate) return _followers.Count; } }

    /// <summary>Beats that reached a quiesced follower here since the silo started (for tests: proof that beats arrive).</summary>
    public long Heard { get { lock (_gate) return _heard; } }

    private long _heard;

    /// <summary>The host's timer, once per heartbeat interval: beats for the quiesced leaders, and reports silent ones to their followers.</summary>
    public void Beat()
    {
        var remote = new List<(int To, LeaderBeat[] Beats)>();
        var silent = new List<(QuiescedFollower Follower, TimeSpan For)>();
        lock (_gate)
        {
            var now = Now;
            var byNode = new SortedDictionary<int, List<LeaderBeat>>();
            foreach (var ((group, node), leader) in _leaders)
            {
                foreach (var follower in leader.Followers)
                {
                    if (leader.IsCut(follower)) continue;
                    if (!byNode.TryGetValue(follower, out var beats)) byNode[follower] = beats = new List<LeaderBeat>();
                    beats.Add(new LeaderBeat(group, node, leader.Term));
                }
            }
            foreach (var (to, beats) in byNode)
            {
                if (isLocal(to)) Deliver(to, beats, now);
                else remote.Add((to, beats.ToArray()));
            }
            foreach (var follower in _followers.Values)
            {
                var quiet = now - follower.LastHeard;
                if (quiet < silence || now - follower.ReportedAt < silence) continue;
                follower.ReportedAt = now;
                silent.Add((follower, quiet));
            }
        }
        // Outside the lock: a send or a report may run anything (a grain call, the simulation's next events).
        foreach (var (to, beats) in remote) sendTo(to, beats);
        foreach (var (follower, quiet) in silent) follower.LeaderSilent(follower.Term, follower.Leader, quiet);
    }

    /// <summary>Another silo's beat for its quiesced leaders that have a follower on node <paramref name="to"/> here.</summary>
    public void Received(int to, IEnumerable<LeaderBeat> beats)
    {
        lock (_gate) Deliver(to, beats, Now);
    }

    private void Deliver(int to, IEnumerable<LeaderBeat> beats, TimeSpan now)
    {
        foreach (var beat in beats)
        {
            if (_followers.TryGetValue((beat.Group, to), out var follower) && follower.Leader == beat.Leader
                && follower.Term == beat.Term && !follower.IsCut(beat.Leader))
            {
                follower.LastHeard = now;
                _heard++;
            }
        }
    }

    private sealed record QuiescedLeader(long Term, int[] Followers, Func<int, bool> IsCut);

    private sealed class QuiescedFollower(int leader, long term, TimeSpan since, Func<int, bool> isCut, Action<long, int, TimeSpan> leaderSilent)
    {
        public int Leader => leader;
        public long Term => term;
        public Func<int, bool> IsCut => isCut;
        public Action<long, int, TimeSpan> LeaderSilent => leaderSilent;
        public TimeSpan LastHeard { get; set; } = since;
        public TimeSpan ReportedAt { get; set; } = TimeSpan.MinValue / 2;
    }

    private sealed class Member(SiloHeartbeats silo, (string Group, int Node) key, Func<int, bool> isCut, Action<long, int, TimeSpan> leaderSilent)
        : IReplicaQuiescence
    {
        public void Quiesced(SoftState state, IReadOnlyCollection<int> followers)
        {
            lock (silo._gate)
            {
                if (state.Role == Role.Leader)
                {
                    silo._followers.Remove(key);
                    silo._leaders[key] = new QuiescedLeader(state.Term, followers.ToArray(), isCut);
                }
                else if (state.LeaderId is { } leader)
                {
                    silo._leaders.Remove(key);
                    silo._followers[key] = new QuiescedFollower(leader, state.Term, silo.Now, isCut, leaderSilent);
                }
            }
        }

        public void Woke()
        {
            lock (silo._gate)
            {
                silo._leaders.Remove(key);
                silo._followers.Remove(key);
            }
        }
    }
}
