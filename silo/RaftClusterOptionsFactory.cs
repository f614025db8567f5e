using RaftOrleans.Configuration;
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

    /// <summary>The storage raft.toml asks for: files under data_dir (default) or memory.</summary>
    public static IRaftStorageProvider StorageFrom(RaftConfig config) => config.Storage.Kind == StorageKind.File
        ? new FileRaftStorageProvider(config.Storage.DataDir, config.Storage.Fsync)
        : new InMemoryRaftStorageProvider();

    public static RaftClusterOptions From(RaftConfig config) => new()
    {
        Nodes = config.Cluster.Nodes,
        ElectionTimeoutMin = config.Raft.ElectionTimeoutMin,
        ElectionTimeoutMax = config.Raft.ElectionTimeoutMax,
        HeartbeatInterval = config.Raft.HeartbeatInterval,
        MaxEntriesPerAppend = config.Raft.MaxEntriesPerAppend,
        MaxInflightAppends = config.Raft.MaxInflightAppends,
        RpcTimeout = config.Raft.RpcTimeout,
        TickInterval = TickInterval,
        RequestTimeout = config.Gateway.RequestTimeout,
        MaxKeyBytes = config.Gateway.MaxKeyBytes,
        MaxValueBytes = config.Gateway.MaxValueBytes,
        SnapshotThreshold = config.Storage.SnapshotThreshold,
        SnapshotCatchUpEntries = config.Storage.SnapshotCatchUpEntries,
    };
}
