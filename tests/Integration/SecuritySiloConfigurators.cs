using Orleans.TestingHost;
using RaftOrleans.Configuration;
using RaftOrleans.Silo;
using RaftOrleans.Storage;
using RaftOrleans.Tests.Security;

namespace RaftOrleans.Tests.Integration;

/// <summary>The test silo as raft.toml ships: fault injection off.</summary>
public sealed class FaultsOffSiloConfigurator : ISiloConfigurator
{
    public static readonly RaftClusterOptions Options = TestSiloConfigurator.Options with { FaultInjection = false };

    public void Configure(ISiloBuilder siloBuilder) => siloBuilder.AddRaftKeyValueStore(Options, new InMemoryRaftStorageProvider());
}

/// <summary>The test silo as one whose gateway listens beyond its machine (silo.address not a loopback address).</summary>
public sealed class RemoteGatewaySiloConfigurator : ISiloConfigurator
{
    public static readonly RaftClusterOptions Options = TestSiloConfigurator.Options with { AdminFromClients = false };

    public void Configure(ISiloBuilder siloBuilder) => siloBuilder.AddRaftKeyValueStore(Options, new InMemoryRaftStorageProvider());
}

/// <summary>The test silo with small limits: 4 requests in flight per client, one entry per append of values up to 1,000 bytes.</summary>
public sealed class SmallLimitsSiloConfigurator : ISiloConfigurator
{
    public static readonly RaftClusterOptions Options = RaftClusterOptionsFactory.From(RaftConfig.Default with
    {
        Cluster = new ClusterSettings { Nodes = 5 },
        Raft = RaftConfig.Default.Raft with { MaxEntriesPerAppend = 1 },
        Gateway = RaftConfig.Default.Gateway with { RequestTimeoutMs = 2000, MaxRequestsInFlight = 4, MaxValueBytes = 1000 },
        Faults = new FaultSettings { Enabled = true },
    });

    public void Configure(ISiloBuilder siloBuilder) => siloBuilder.AddRaftKeyValueStore(Options, new InMemoryRaftStorageProvider());
}

/// <summary>
/// A silo whose gateway listens beyond its machine, with [tls] on: administrative orders are taken when an
/// administrator's certificate of the cluster's authority (the script's admin.crt) signed them.
/// </summary>
public sealed class AdminCertificateSiloConfigurator : ISiloConfigurator
{
    public static readonly RaftClusterOptions Options = RemoteGatewaySiloConfigurator.Options with
    {
        AdminCertificateProblem = certificate => Silo.Problem(certificate, ClusterCertificates.AdminRole),
    };

    private static ClusterCertificates Silo => ClusterCertificates.ForSilo(TestCertificates.Settings(TestCertificates.Cluster));

    public void Configure(ISiloBuilder siloBuilder) => siloBuilder.AddRaftKeyValueStore(Options, new InMemoryRaftStorageProvider());
}
