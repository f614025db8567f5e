using RaftOrleans.Client.Kv;
using RaftOrleans.Client.Status;
using RaftOrleans.Configuration;

namespace RaftOrleans.Client.Commands;

/// <summary>What every command works with: the configuration, the connected cluster and the two output streams.</summary>
internal sealed record CommandContext(RaftConfig Config, IClusterClient Cluster, TextWriter Out, TextWriter Error)
{
    public IReadOnlyList<int> NodeIds => Config.Cluster.NodeIds;

    /// <summary>How requests reach a gateway (one silo, or spread over the cluster's silos); what every KvSession needs.</summary>
    public GatewayRoute Route { get; } = new(Cluster, Config);

    public IRaftNodeGrain Node(int nodeId) => Cluster.GetGrain<IRaftNodeGrain>(nodeId);

    /// <param name="nodeTimeout">How long one node may take to answer; shorter when polling for a leader, where a dead node must not set the pace.</param>
    public Task<ClusterSnapshot> ReadStatusAsync(TimeSpan? nodeTimeout = null) =>
        ClusterProbe.ReadAsync(Cluster, NodeIds, Route.SpreadOverSilos, nodeTimeout);
}
