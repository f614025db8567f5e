using RaftOrleans.Configuration;
using RaftOrleans.Storage;

namespace RaftOrleans;

/// <summary>Turns the validated raft.toml into what the grains need.</summary>
public static class RaftClusterOptionsFactory
{
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
        RequestTimeout = config.Gateway.RequestTimeout,
        MaxKeyBytes = config.Gateway.MaxKeyBytes,
        MaxValueBytes = config.Gateway.MaxValueBytes,
        SnapshotThreshold = config.Storage.SnapshotThreshold,
        SnapshotCatchUpEntries = config.Storage.SnapshotCatchUpEntries,
    };
}
