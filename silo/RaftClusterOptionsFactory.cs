using System.Net;
using RaftOrleans.Configuration;
using RaftOrleans.Groups;
using RaftOrleans.Raft;
using RaftOrleans.Storage;

namespace RaftOrleans.Silo;

/// <summary>
/// Turns the validated raft.toml into what the grains need: the one mapping from <see cref="RaftConfig"/> to
/// <see cref="RaftClusterOptions"/> (and through it to the core's and the replica's options). It lives in the
/// silo, which references both the configuration and the grains, so that the grains need no configuration.
/// </summary>
public static class RaftClusterOptionsFactory
{
    /// <summary>
    /// How often a node grain's timer feeds elapsed time to the core: finer than any Raft timer. Not a raft.toml
    /// setting; this is its one value.
    /// </summary>
    public static readonly TimeSpan TickInterval = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// The storage raft.toml asks for: files under data_dir (default; one log for the replicas the silo hosts, as
    /// <paramref name="options"/> say) or memory.
    /// </summary>
    public static IRaftStorageProvider StorageFrom(RaftConfig config, RaftClusterOptions options) => config.Storage.Kind == StorageKind.File
        ? new FileRaftStorageProvider(config.Storage.DataDir, config.Storage.Fsync, config.Cluster.Id, FileRaftStorageProvider.LogNameFor(options))
        : new InMemoryRaftStorageProvider();

    /// <summary>raft.toml's groups laid over its nodes: the one layout silo, gateway and console share.</summary>
    public static RaftGroups GroupsOf(RaftConfig config) =>
        new(config.GroupList.Select(g => (g.Name, g.Replicas)), config.Cluster.Nodes);

    /// <summary>
    /// The options of a silo hosting <paramref name="node"/> (cluster mode), or every node (embedded mode: leave
    /// it null).
    /// </summary>
    public static RaftClusterOptions From(RaftConfig config, int? node = null) => new()
    {
        ClusterId = config.Cluster.Id,
        Nodes = config.Cluster.Nodes,
        Groups = GroupsOf(config),
        OneNodePerSilo = config.Cluster.Mode == ClusterMode.Cluster,
        HostedNodes = (config.Cluster.Mode, node) switch
        {
            (ClusterMode.Embedded, null) => config.Cluster.NodeIds,
            (ClusterMode.Cluster, { } id) when id >= 1 && id <= ClusterConfig.MaxNodeId => [id],
            _ => throw new ArgumentException($"node {node?.ToString() ?? "(none)"} does not fit cluster.mode {config.Cluster.Mode} with {config.Cluster.Nodes} nodes", nameof(node)),
        },
        ElectionTimeoutMin = config.Raft.ElectionTimeoutMin,
        ElectionTimeoutMax = config.Raft.ElectionTimeoutMax,
        HeartbeatInterval = config.Raft.HeartbeatInterval,
        MaxEntriesPerAppend = config.Raft.MaxEntriesPerAppend,
        MaxInflightAppends = config.Raft.MaxInflightAppends,
        PreVote = config.Raft.PreVote,
        Quiesce = config.Raft.Quiesce,
        RpcTimeout = config.Raft.RpcTimeout,
        TickInterval = TickInterval,
        RequestTimeout = config.Gateway.RequestTimeout,
        MaxKeyBytes = config.Gateway.MaxKeyBytes,
        MaxValueBytes = config.Gateway.MaxValueBytes,
        SessionLifetime = config.Gateway.SessionLifetime,
        SnapshotThreshold = config.Storage.SnapshotThreshold,
        SnapshotCatchUpEntries = config.Storage.SnapshotCatchUpEntries,
        SnapshotSendBytesPerSecond = config.Storage.SnapshotSendMbPerSecond * 1024L * 1024,
        FaultInjection = config.Faults.Enabled,
        MaxRequestsInFlight = config.Gateway.MaxRequestsInFlight,
        // An embedded silo's gateway always listens on 127.0.0.1; a cluster's on silo.address.
        AdminFromClients = config.Cluster.Mode == ClusterMode.Embedded || IPAddress.IsLoopback(IPAddress.Parse(config.Silo.Address)),
    };
}
