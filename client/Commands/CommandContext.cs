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

    public Task<ClusterSnapshot> ReadStatusAsync() => ClusterProbe.ReadAsync(Cluster, NodeIds, Route.SpreadOverSilos);
}
