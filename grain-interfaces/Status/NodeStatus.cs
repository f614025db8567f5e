namespace RaftOrleans.Status;

/// <summary>What `client status` shows for one node.</summary>
[GenerateSerializer, Immutable]
public sealed record NodeStatus
{
    [Id(0)] public required int NodeId { get; init; }
    [Id(1)] public required bool Crashed { get; init; }
    [Id(2)] public required string Role { get; init; }
    [Id(3)] public required long Term { get; init; }
    [Id(4)] public required int? VotedFor { get; init; }
    [Id(5)] public required int? LeaderId { get; init; }
    [Id(6)] public required long LastLogIndex { get; init; }
    [Id(7)] public required long CommitIndex { get; init; }
    [Id(8)] public required long LastApplied { get; init; }

    /// <summary>Only on the leader: its view of every follower.</summary>
    [Id(9)] public required FollowerStatus[] Followers { get; init; }

    /// <summary>Elections this node won, newest last (a few).</summary>
    [Id(10)] public required ElectionSummary[] ElectionsWon { get; init; }

    /// <summary>A digest of the applied KV state, to compare replicas without shipping the data.</summary>
    [Id(11)] public required string StateDigest { get; init; }

    [Id(12)] public required long KeyCount { get; init; }

    /// <summary>The last index covered by this node's snapshot; its log starts after it (0: no snapshot yet).</summary>
    [Id(13)] public required long SnapshotIndex { get; init; }

    /// <summary>The silo hosting the node (its Orleans runtime identity: address, port and generation); set by the node grain.</summary>
    [Id(14)] public string? Silo { get; init; }

    /// <summary>The process id of that silo; set by the node grain.</summary>
    [Id(15)] public int? ProcessId { get; init; }

    /// <summary>When the node grain was activated (its replica started from storage); set by the node grain.</summary>
    [Id(16)] public DateTimeOffset? ActivatedAt { get; init; }

    /// <summary>The voters of the configuration in force at this node (the latest in its log, committed or not).</summary>
    [Id(17)] public int[] Voters { get; init; } = [];

    /// <summary>The learners of that configuration: they receive the log but do not vote.</summary>
    [Id(18)] public int[] Learners { get; init; } = [];

    /// <summary>The log index of the entry that made that configuration (0: the bootstrap one of raft.toml's cluster.nodes).</summary>
    [Id(19)] public long ConfigIndex { get; init; }

    /// <summary>Whether this node knows that configuration to be committed.</summary>
    [Id(20)] public bool ConfigCommitted { get; init; }

    /// <summary>The mean time its writes took over the last whole second, from reaching this node (as leader) to their answer; null if none.</summary>
    [Id(21)] public double? CommitLatencyMs { get; init; }

    /// <summary>The Raft group this node is a replica of; set by the node grain.</summary>
    [Id(22)] public string Group { get; init; } = "";

    /// <summary>
    /// The group is idle and this node quiesced (a leader that stopped heartbeating, a follower that stopped its election
    /// timer; see raft.toml's quiesce). A quiesced leader's followers' last contact is the moment it quiesced.
    /// </summary>
    [Id(23)] public bool Quiesced { get; init; }

    public bool IsMember(int node) => Voters.Contains(node) || Learners.Contains(node);
}
