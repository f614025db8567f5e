using RaftOrleans.Raft;
using RaftOrleans.Replica;

namespace RaftOrleans;

/// <summary>
/// What the node and gateway grains need from the configuration, as one DI singleton. The silo builds it
/// from raft.toml (<see cref="RaftClusterOptionsFactory"/>); tests build it directly.
/// </summary>
public sealed record RaftClusterOptions
{
    /// <summary>Node ids are 1..Nodes.</summary>
    public int Nodes { get; init; } = 5;

    public TimeSpan ElectionTimeoutMin { get; init; } = TimeSpan.FromMilliseconds(150);
    public TimeSpan ElectionTimeoutMax { get; init; } = TimeSpan.FromMilliseconds(300);
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromMilliseconds(50);
    public int MaxEntriesPerAppend { get; init; } = 256;
    public int MaxInflightAppends { get; init; } = 4;

    /// <summary>How long a node waits for one peer's answer before counting that message as lost.</summary>
    public TimeSpan RpcTimeout { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How often the node grain's timer feeds elapsed time to the core. Finer than any Raft timer.</summary>
    public TimeSpan TickInterval { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>The gateway's deadline: past it a request answers Unavailable.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Applied entries after which a node snapshots its state and compacts its log.</summary>
    public int SnapshotThreshold { get; init; } = 10_000;

    /// <summary>Entries kept in memory before the latest snapshot, for followers only a little behind.</summary>
    public int SnapshotCatchUpEntries { get; init; } = 5_000;

    public int MaxKeyBytes { get; init; } = 256;
    public int MaxValueBytes { get; init; } = 65536;

    public IReadOnlyList<int> NodeIds => Enumerable.Range(1, Nodes).ToArray();

    /// <summary>What the replica of node <paramref name="nodeId"/> needs.</summary>
    public ReplicaOptions ForReplica(int nodeId) => new()
    {
        Raft = ForNode(nodeId),
        TickInterval = TickInterval,
        SnapshotThreshold = SnapshotThreshold,
        SnapshotCatchUpEntries = SnapshotCatchUpEntries,
    };

    public RaftOptions ForNode(int nodeId) => new()
    {
        NodeId = nodeId,
        Members = NodeIds,
        ElectionTimeoutMin = ElectionTimeoutMin,
        ElectionTimeoutMax = ElectionTimeoutMax,
        HeartbeatInterval = HeartbeatInterval,
        MaxEntriesPerAppend = MaxEntriesPerAppend,
        MaxInflightAppends = MaxInflightAppends,
    };
}
