using RaftOrleans.Raft;

namespace RaftOrleans.Replica;

/// <summary>
/// One silo's heartbeat for all its quiesced replicas (CockroachDB's coalesced heartbeats of quiesced ranges): once per
/// heartbeat interval (<see cref="Beat"/>), one message to each other silo names every quiesced replica hosted here
/// that has a peer there (a quiesced leader's followers, a quiesced follower's leader), and the receiving silo
/// (<see cref="Received"/>) notes for each of its quiesced replicas that its peer's silo is alive. A quiesced
/// replica whose peer's beat stays away for the minimum election timeout is told (its replica's <c>PeerSilent</c>, on
/// its own turn): a follower's election timer runs again, a leader wakes and heartbeats again, so that
/// check-quorum makes it step down if it was cut off from its majority. 64 idle groups then cost one message per
/// silo pair per interval and no replica turn for it, instead of two AppendEntries calls per follower per interval
/// and a timer turn per interval on every replica (each replica's once-a-second status publication remains).
/// <para>
/// Free of Orleans: the host gives it a clock, which node ids live on this silo (their beats are delivered in place)
/// and how to reach another node's silo; the simulation runs this very class over its network. A beat also respects
/// the fault injection's cut links, at both ends. Thread-safe: replicas register from their turns, the host's timer
/// beats, other silos' beats arrive on any thread. Ordered maps: the simulation's runs must replay exactly.
/// </para>
/// </summary>
public sealed class SiloHeartbeats(TimeSpan silence, Func<TimeSpan> clock, Func<int, bool> isLocal, Action<int, QuiescedBeat[]> sendTo)
{
    private readonly Lock _gate = new();
    private readonly TimeSpan _silence = silence;
    private readonly SortedDictionary<(string Group, int Node), Quiesced> _replicas = new(ReplicaOrder.Instance);
    private readonly HashSet<Member> _awake = new(); // joined, not left, and not quiesced
    private long _heard;

    private TimeSpan Now => clock();

    /// <summary>
    /// The handle replica <paramref name="node"/> of <paramref name="group"/> reports its quiescence through.
    /// <paramref name="isCut"/>: whether its link to a peer is cut (fault injection). <paramref name="peerSilent"/>:
    /// called (on any thread; the host brings it onto the replica's turn) with the term it quiesced in, the silent
    /// peer and how long its silo has been silent, and again each silence for as long as the replica stays quiesced.
    /// Until it quiesces the replica counts as awake (<see cref="AllQuiesced"/>); dispose the handle when the replica
    /// is gone for good (its activation ends).
    /// </summary>
    public Member Join(string group, int node, Func<int, bool> isCut, Action<long, int, TimeSpan> peerSilent)
    {
        var member = new Member(this, (group, node), isCut, peerSilent);
        lock (_gate) _awake.Add(member);
        return member;
    }

    /// <summary>
    /// Every replica that joined here (and has not left) is quiesced, or none is here: nothing on this silo runs a
    /// Raft timer, so the silo clock may beat at a relaxed pace (<c>SiloClock.RelaxWhile</c>).
    /// </summary>
    public bool AllQuiesced { get { lock (_gate) return _awake.Count == 0; } }

    /// <summary>Quiesced replicas hosted here (for tests).</summary>
    public int Count { get { lock (_gate) return _replicas.Count; } }

    /// <summary>Beats that reached a quiesced replica here since the silo started (for tests: proof that beats arrive).</summary>
    public long Heard { get { lock (_gate) return _heard; } }

    /// <summary>The host's timer, once per heartbeat interval: beats for the quiesced replicas, and reports silent peers to them.</summary>
    public void Beat()
    {
        var remote = new List<(int To, QuiescedBeat[] Beats)>();
        var silent = new List<(Quiesced Replica, int Peer, TimeSpan For)>();
        lock (_gate)
        {
            var now = Now;
            var byNode = new SortedDictionary<int, List<QuiescedBeat>>();
            foreach (var ((group, node), replica) in _replicas)
            {
                foreach (var peer in replica.Peers.Keys)
                {
                    if (replica.IsCut(peer)) continue;
                    if (!byNode.TryGetValue(peer, out var beats)) byNode[peer] = beats = new List<QuiescedBeat>();
                    beats.Add(new QuiescedBeat(group, node, replica.Term));
                }
            }
            foreach (var (to, beats) in byNode)
            {
                if (isLocal(to)) Deliver(to, beats, now);
                else remote.Add((to, beats.ToArray()));
            }
            foreach (var replica in _replicas.Values)
            {
                if (now - replica.ReportedAt < _silence) continue;
                foreach (var (peer, lastHeard) in replica.Peers)
                {
                    if (now - lastHeard < _silence) continue;
                    replica.ReportedAt = now;
                    silent.Add((replica, peer, now - lastHeard));
                    break; // one report wakes the replica; any other silent peer is told again next silence
                }
            }
        }
        // Outside the lock: a send or a report may run anything (a grain call, the simulation's next events).
        foreach (var (to, beats) in remote) sendTo(to, beats);
        foreach (var (replica, peer, quiet) in silent) replica.PeerSilent(replica.Term, peer, quiet);
    }

    /// <summary>Another silo's beat for its quiesced replicas that have a peer on node <paramref name="to"/> here.</summary>
    public void Received(int to, IEnumerable<QuiescedBeat> beats)
    {
        lock (_gate) Deliver(to, beats, Now);
    }

    private void Deliver(int to, IEnumerable<QuiescedBeat> beats, TimeSpan now)
    {
        foreach (var beat in beats)
        {
            if (!_replicas.TryGetValue((beat.Group, to), out var replica) || replica.Term != beat.Term) continue;
            if (!replica.Peers.ContainsKey(beat.From) || replica.IsCut(beat.From)) continue;
            replica.Peers[beat.From] = now;
            _heard++;
        }
    }

    /// <summary>A quiesced replica: the term it quiesced in and, for each peer whose beat it waits for, when it last came.</summary>
    private sealed record Quiesced(Member Owner, long Term, SortedDictionary<int, TimeSpan> Peers, Func<int, bool> IsCut, Action<long, int, TimeSpan> PeerSilent)
    {
        public TimeSpan ReportedAt { get; set; } = TimeSpan.MinValue / 2;
    }

    /// <summary>One replica's handle (<see cref="Join"/>).</summary>
    public sealed class Member(SiloHeartbeats silo, (string Group, int Node) key, Func<int, bool> isCut, Action<long, int, TimeSpan> peerSilent)
        : IReplicaQuiescence, IDisposable
    {
        private bool _left;

        public void Quiesced(SoftState state, IReadOnlyCollection<int> followers)
        {
            // A leader waits for its followers' beats, a follower for its leader's; each counts from now.
            IEnumerable<int> peers = state.Role == Role.Leader ? followers : state.LeaderId is { } leader ? [leader] : [];
            lock (silo._gate)
            {
                var now = silo.Now;
                if (_left) return;
                silo._replicas[key] = new Quiesced(this, state.Term, new SortedDictionary<int, TimeSpan>(peers.ToDictionary(p => p, _ => now)), isCut, peerSilent);
                silo._awake.Remove(this);
            }
        }

        public void Woke()
        {
            lock (silo._gate)
            {
                if (_left) return;
                if (Mine() is not null) silo._replicas.Remove(key);
                silo._awake.Add(this); // also a replica that is down: its node restarts it on timers of its own
            }
        }

        public (long Term, TimeSpan For)? Silence(int peer)
        {
            lock (silo._gate)
            {
                if (_left || Mine() is not { } mine || !mine.Peers.TryGetValue(peer, out var lastHeard)) return null;
                var quiet = silo.Now - lastHeard;
                return quiet >= silo._silence ? (mine.Term, quiet) : null;
            }
        }

        /// <summary>The replica is gone (its activation ended): no beat for it, and it keeps no silo awake.</summary>
        public void Dispose()
        {
            lock (silo._gate)
            {
                if (_left) return;
                _left = true;
                silo._awake.Remove(this);
                if (Mine() is not null) silo._replicas.Remove(key);
            }
        }

        /// <summary>This member's entry, under the silo's lock: a successor of the same key may have joined already, and its entry is not ours.</summary>
        private Quiesced? Mine() => silo._replicas.TryGetValue(key, out var entry) && entry.Owner == this ? entry : null;
    }

    /// <summary>Ordinal order of (group, node): group names are identifiers, and a culture's collation costs more than the beat.</summary>
    private sealed class ReplicaOrder : IComparer<(string Group, int Node)>
    {
        public static readonly ReplicaOrder Instance = new();

        public int Compare((string Group, int Node) x, (string Group, int Node) y)
        {
            var byGroup = string.CompareOrdinal(x.Group, y.Group);
            return byGroup != 0 ? byGroup : x.Node.CompareTo(y.Node);
        }
    }
}
