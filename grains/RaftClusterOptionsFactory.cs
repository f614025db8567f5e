using RaftOrleans.Configuration;

namespace RaftOrleans;

/// <summary>Turns the validated raft.toml into what the grains need.</summary>
public static class RaftClusterOptionsFactory
{
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
    };
}
