using RaftOrleans.Configuration;
using RaftOrleans.Groups;
using RaftOrleans.Kv;

namespace RaftOrleans.Client.Connection;

/// <summary>
/// The client settings (<see cref="KvClientSettings"/>) the console takes from its raft.toml, the same file the silos
/// read: where an application asks a gateway for them, the console knows them before it connects. A test checks that
/// these equal what a silo answers for the same configuration.
/// </summary>
internal static class ConfiguredClientSettings
{
    public static KvClientSettings From(RaftConfig config) => KvClientSettings.For(
        GroupsOf(config),
        config.Gateway.RequestTimeout,
        config.Cluster.Mode == ClusterMode.Cluster ? config.Raft.ElectionTimeoutMax : null,
        config.Gateway.SessionLifetime,
        config.Gateway.MaxRequestsInFlight);

    /// <summary>raft.toml's groups, laid over the nodes as the silos lay them (<see cref="RaftGroups"/>).</summary>
    public static RaftGroups GroupsOf(RaftConfig config) => new(config.GroupList.Select(g => (g.Name, g.Replicas)), config.Cluster.Nodes);
}
