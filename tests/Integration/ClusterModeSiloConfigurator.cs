using Microsoft.Extensions.Configuration;
using Orleans.TestingHost;
using RaftOrleans.KeyValue.Sessions;
using RaftOrleans.Configuration;
using RaftOrleans.Silo;
using RaftOrleans.Storage;

namespace RaftOrleans.Tests.Integration;

/// <summary>
/// Cluster mode in a TestCluster: three silos, each hosting the one Raft node its TestCluster name gives
/// ("Primary" node 1, "Secondary_1" node 2, "Secondary_2" node 3), wired as `silo --node N` wires a real silo.
/// The storage stands for each silo's disk: one in-memory provider for the whole test (a static, because
/// TestCluster builds configurators by type), so a silo stopped and started again finds its node's log. The client
/// reports its lost gateway connections to the sessions, as the console's and the library's do.
/// </summary>
public sealed class ClusterModeSiloConfigurator : ISiloConfigurator, IClientBuilderConfigurator
{
    public const int Nodes = 3;

    public static InMemoryRaftStorageProvider Disks { get; set; } = new();

    public static readonly RaftConfig Config = RaftConfig.Default with
    {
        Cluster = new ClusterSettings { Nodes = Nodes, Mode = ClusterMode.Cluster },
        Gateway = RaftConfig.Default.Gateway with { RequestTimeoutMs = 2000 },
        Faults = new FaultSettings { Enabled = true }, // the tests crash and restart nodes
    };

    /// <summary>The node a TestCluster silo hosts, by the silo's TestCluster name.</summary>
    public static int NodeOf(string testClusterName) => testClusterName == "Primary"
        ? 1
        : int.Parse(testClusterName["Secondary_".Length..]) + 1;

    public void Configure(ISiloBuilder siloBuilder)
    {
        var name = siloBuilder.Configuration["Orleans:Name"] ?? throw new InvalidOperationException("TestCluster gave the silo no name");
        siloBuilder.AddRaftKeyValueStore(RaftClusterOptionsFactory.From(Config, NodeOf(name)), Disks);
    }

    public void Configure(IConfiguration configuration, IClientBuilder clientBuilder) => GatewayLosses.Register(clientBuilder.Services);
}
