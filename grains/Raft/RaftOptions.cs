namespace RaftOrleans.Raft;

/// <summary>
/// What one Raft node needs to know about itself and its cluster. Plain values: the core reads no
/// configuration file and no clock; the shell builds this from raft.toml, whose settings records hold the one
/// copy of every default (so the members raft.toml sets are required here).
/// </summary>
public sealed record RaftOptions
{
    /// <summary>This node's id (at least 1). A node outside <see cref="Members"/> is one that will join later, as a learner.</summary>
    public required int NodeId { get; init; }

    /// <summary>
    /// The cluster's first configuration (all voters), in force until a membership change in the log replaces it. Every
    /// node must be given the same one: a node that joins later learns the current configuration from the leader's log.
    /// </summary>
    public required IReadOnlyList<int> Members { get; init; }

    public required TimeSpan ElectionTimeoutMin { get; init; }
    public required TimeSpan ElectionTimeoutMax { get; init; }
    public required TimeSpan HeartbeatInterval { get; init; }

    /// <summary>Most entries one AppendEntries carries.</summary>
    public required int MaxEntriesPerAppend { get; init; }

    /// <summary>Most AppendEntries with entries in flight to one follower before the leader waits for replies.</summary>
    public required int MaxInflightAppends { get; init; }

    /// <summary>
    /// Pre-vote (thesis 9.6): a node whose election timer fires first asks whether it could win, and raises its term
    /// only if a majority says yes. A node that was cut off then cannot depose a healthy leader when it returns.
    /// </summary>
    public required bool PreVote { get; init; }

    /// <summary>
    /// Idle groups quiesce (see <see cref="RaftNode.Quiesced"/>): no heartbeats while nothing happens. Only for a host
    /// that watches quiesced replicas' peers' silos and tells them of a silence (<see cref="RaftNode.PeerSilent"/>): without
    /// that, a quiesced follower would never campaign after its leader died.
    /// </summary>
    public bool Quiesce { get; init; }

    /// <summary>
    /// How long a leader waits for a snapshot's transfer to move on (a chunk answered) before it sends it again. Not a raft.toml
    /// setting; this is its one default.
    /// </summary>
    public TimeSpan SnapshotRetryInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Most entries a learner may lag behind the leader's log and still be promoted: promoted any further behind, it
    /// would hold up commits (it counts toward the majority) until it caught up. Not a raft.toml setting; this is its one default.
    /// </summary>
    public long PromotionMaxLag { get; init; } = 1000;

    /// <summary>
    /// Planted bug for the simulation's own test: a leader takes a membership change while the previous one is not yet
    /// committed (two changes in flight, which lets two disjoint majorities each elect or commit). Never set otherwise.
    /// </summary>
    internal bool PlantedBugConcurrentMembershipChanges { get; init; }

    /// <summary>
    /// Throws <see cref="ArgumentException"/> naming the first inconsistent value. User input (raft.toml, or a
    /// configuration built in code) is validated once, with messages naming the key, by the configuration
    /// project's RaftConfigValidator, and its cross-key rules (heartbeat &lt; election min &lt; max) are not
    /// repeated here. This checks what only the core can know (distinct, non-empty Members)
    /// plus cheap guards on single values no node could run with (a timer that is not positive, a batch of 0).
    /// </summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Members);
        if (Members.Count == 0) throw new ArgumentException("Members must not be empty.");
        if (Members.Distinct().Count() != Members.Count) throw new ArgumentException("Members must be distinct.");
        ArgumentOutOfRangeException.ThrowIfLessThan(NodeId, 1);
        if (Members.Any(m => m < 1)) throw new ArgumentException("Members are node ids, at least 1.");
        ArgumentOutOfRangeException.ThrowIfNegative(PromotionMaxLag);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(HeartbeatInterval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ElectionTimeoutMin, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ElectionTimeoutMax, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxEntriesPerAppend, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxInflightAppends, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(SnapshotRetryInterval, TimeSpan.Zero);
    }
}
