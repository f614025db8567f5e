using Orleans.TestingHost;
using RaftOrleans.Configuration;
using RaftOrleans.Silo;
using RaftOrleans.Storage;

namespace RaftOrleans.Tests.Integration;

/// <summary>
/// Cluster mode with several Raft groups in a three-silo TestCluster, wired as `silo --node N` wires a real silo with
/// this raft.toml: [groups] alpha = 3, beta = 3, gamma = 1. By the layout rule (groups by name, each starting one node
/// further on) alpha's replicas are nodes 1, 2, 3, beta's 2, 3, 1 and gamma's node 3. One in-memory provider stands for
/// every silo's disk (a static: TestCluster builds configurators by type).
/// </summary>
public sealed class GroupsSiloConfigurator : ISiloConfigurator
{
    public static InMemoryRaftStorageProvider Disks { get; set; } = new();

    public static readonly RaftConfig Config = RaftConfig.Default with
    {
        Cluster = new ClusterSettings { Nodes = ClusterModeSiloConfigurator.Nodes, Mode = ClusterMode.Cluster },
        Gateway = RaftConfig.Default.Gateway with { RequestTimeoutMs = 2000 },
        Faults = new FaultSettings { Enabled = true }, // the tests crash and restart nodes
        Groups = [new GroupSettings("beta", 3), new GroupSettings("alpha", 3), new GroupSettings("gamma", 1)],
    };

    public void Configure(ISiloBuilder siloBuilder)
    {
        var name = siloBuilder.Configuration["Orleans:Name"] ?? throw new InvalidOperationException("TestCluster gave the silo no name");
        siloBuilder.AddRaftKeyValueStore(RaftClusterOptionsFactory.From(Config, ClusterModeSiloConfigurator.NodeOf(name)), Disks);
    }
}
