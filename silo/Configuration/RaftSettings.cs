namespace RaftOrleans.Configuration;

/// <summary>The <c>[raft]</c> section: protocol timing and replication limits.</summary>
public sealed record RaftSettings
{
    /// <summary><c>election_timeout_min_ms</c>: lower bound of the randomised election timeout, ms. Default 150.</summary>
    public int ElectionTimeoutMinMs { get; init; } = 150;

    /// <summary><c>election_timeout_max_ms</c>: upper bound (exclusive) of the randomised election timeout, ms. Default 300.</summary>
    public int ElectionTimeoutMaxMs { get; init; } = 300;

    /// <summary><c>heartbeat_interval_ms</c>: how often a leader sends (possibly empty) appends, ms. Default 50.</summary>
    public int HeartbeatIntervalMs { get; init; } = 50;

    /// <summary><c>rpc_timeout_ms</c>: how long one call to one peer may take before it counts as lost, ms. Default 200.</summary>
    public int RpcTimeoutMs { get; init; } = 200;

    /// <summary><c>max_entries_per_append</c>: most log entries carried by one AppendEntries. Default 256.</summary>
    public int MaxEntriesPerAppend { get; init; } = 256;

    /// <summary><c>max_inflight_appends</c>: most unanswered AppendEntries per follower. Default 1 (see raft.toml).</summary>
    public int MaxInflightAppends { get; init; } = 1;

    /// <summary>
    /// <c>pre_vote</c>: a node asks whether it could win before it raises its term (Raft thesis 9.6), so a node that
    /// was cut off does not depose a healthy leader when it returns. Default true.
    /// </summary>
    public bool PreVote { get; init; } = true;

    /// <summary>
    /// <c>quiesce</c>: an idle group's leader stops its heartbeats once every follower holds its whole log, and each silo
    /// sends one heartbeat per interval for all its quiesced replicas instead. Needs <c>pre_vote</c>. Default true.
    /// </summary>
    public bool Quiesce { get; init; } = true;

    /// <summary><see cref="ElectionTimeoutMinMs"/> as a <see cref="TimeSpan"/>.</summary>
    public TimeSpan ElectionTimeoutMin => TimeSpan.FromMilliseconds(ElectionTimeoutMinMs);

    /// <summary><see cref="ElectionTimeoutMaxMs"/> as a <see cref="TimeSpan"/>.</summary>
    public TimeSpan ElectionTimeoutMax => TimeSpan.FromMilliseconds(ElectionTimeoutMaxMs);

    /// <summary><see cref="HeartbeatIntervalMs"/> as a <see cref="TimeSpan"/>.</summary>
    public TimeSpan HeartbeatInterval => TimeSpan.FromMilliseconds(HeartbeatIntervalMs);

    /// <summary><see cref="RpcTimeoutMs"/> as a <see cref="TimeSpan"/>.</summary>
    public TimeSpan RpcTimeout => TimeSpan.FromMilliseconds(RpcTimeoutMs);
}
