namespace RaftOrleans.Raft;

/// <summary>
/// What one Raft node needs to know about itself and its cluster. Plain values: the core reads no
/// configuration file and no clock; the shell builds this from raft.toml.
/// </summary>
public sealed record RaftOptions
{
    /// <summary>This node's id; must be one of <see cref="Members"/>.</summary>
    public required int NodeId { get; init; }

    /// <summary>Every node of the cluster, this one included. Fixed for the life of the cluster.</summary>
    public required IReadOnlyList<int> Members { get; init; }

    public TimeSpan ElectionTimeoutMin { get; init; } = TimeSpan.FromMilliseconds(150);
    public TimeSpan ElectionTimeoutMax { get; init; } = TimeSpan.FromMilliseconds(300);
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Most entries one AppendEntries carries.</summary>
    public int MaxEntriesPerAppend { get; init; } = 256;

    /// <summary>Most AppendEntries with entries in flight to one follower before the leader waits for replies.</summary>
    public int MaxInflightAppends { get; init; } = 4;

    /// <summary>How long a leader waits for a follower to confirm a snapshot before it sends it again.</summary>
    public TimeSpan SnapshotRetryInterval { get; init; } = TimeSpan.FromSeconds(2);

    public int Quorum => Members.Count / 2 + 1;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first inconsistent value.</summary>
    public void Validate()
    {
        if (Members.Count == 0) throw new ArgumentException("Members must not be empty.");
        if (Members.Distinct().Count() != Members.Count) throw new ArgumentException("Members must be distinct.");
        if (!Members.Contains(NodeId)) throw new ArgumentException($"NodeId {NodeId} is not one of Members.");
        if (HeartbeatInterval <= TimeSpan.Zero) throw new ArgumentException("HeartbeatInterval must be positive.");
        if (ElectionTimeoutMin <= HeartbeatInterval)
            throw new ArgumentException("ElectionTimeoutMin must be greater than HeartbeatInterval.");
        if (ElectionTimeoutMax <= ElectionTimeoutMin)
            throw new ArgumentException("ElectionTimeoutMax must be greater than ElectionTimeoutMin.");
        if (MaxEntriesPerAppend < 1) throw new ArgumentException("MaxEntriesPerAppend must be at least 1.");
        if (MaxInflightAppends < 1) throw new ArgumentException("MaxInflightAppends must be at least 1.");
        if (SnapshotRetryInterval <= TimeSpan.Zero) throw new ArgumentException("SnapshotRetryInterval must be positive.");
    }
}
