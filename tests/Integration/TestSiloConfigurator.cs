using Orleans.TestingHost;
using RaftOrleans.Configuration;
using RaftOrleans.Silo;
using RaftOrleans.Storage;

namespace RaftOrleans.Tests.Integration;

/// <summary>Configures each TestCluster silo exactly as the real silo does, with the default Raft timers.</summary>
public sealed class TestSiloConfigurator : ISiloConfigurator
{
    /// <summary>
    /// A shorter request deadline than the default 5 s keeps the "cluster unavailable" test quick; every
    /// other timer is the shipped default.
    /// </summary>
    public static readonly RaftClusterOptions Options = RaftClusterOptionsFactory.From(RaftConfig.Default with
    {
        Cluster = new ClusterSettings { Nodes = 5 },
        Gateway = RaftConfig.Default.Gateway with { RequestTimeoutMs = 2000 },
        Faults = new FaultSettings { Enabled = true }, // the tests crash and restart nodes
    });

    public void Configure(ISiloBuilder siloBuilder) => siloBuilder.AddRaftKeyValueStore(Options, new InMemoryRaftStorageProvider());
}
