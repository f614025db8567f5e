using Microsoft.Extensions.Configuration;
using Orleans.TestingHost;
using RaftOrleans.Client.Connection;
using RaftOrleans.Configuration;
using RaftOrleans.Silo;
using RaftOrleans.Tests.Security;

namespace RaftOrleans.Tests.Integration;

/// <summary>Cluster mode in a TestCluster (<see cref="ClusterModeSiloConfigurator"/>) with [tls] on: silos and the test's client show the script's certificates.</summary>
public sealed class TlsSiloConfigurator : ISiloConfigurator, IClientBuilderConfigurator
{
    public static TlsSettings Tls => TestCertificates.Settings(TestCertificates.Cluster);

    public void Configure(ISiloBuilder siloBuilder)
    {
        new ClusterModeSiloConfigurator().Configure(siloBuilder);
        siloBuilder.UseClusterTls(ClusterCertificates.ForSilo(Tls));
    }

    public void Configure(IConfiguration configuration, IClientBuilder clientBuilder) =>
        clientBuilder.UseClusterTls(ClusterCertificates.ForClient(Tls));
}
