using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Orleans.TestingHost;
using RaftOrleans.Configuration;
using RaftOrleans.Tests.Security;
using Xunit;

namespace RaftOrleans.Tests.Integration;

/// <summary>
/// [tls] on a three-silo cluster (one Raft node per silo, so Raft messages cross silo-to-silo connections): the
/// store works through TLS, and every connection without a certificate of the cluster's authority and of the right role
/// is refused — on the gateway port a client without a certificate or with another authority's, on the silo port even
/// the cluster's own client certificate. The refused connections changed nothing.
/// </summary>
public sealed class TlsTests : RaftClusterTest
{
    /// <summary>A refused handshake ends within this; an accepted one keeps the connection open past it.</summary>
    private static readonly TimeSpan Refusal = TimeSpan.FromSeconds(10);

    protected override IReadOnlyList<int> NodeIds => Enumerable.Range(1, ClusterModeSiloConfigurator.Nodes).ToArray();

    public override Task InitializeAsync()
    {
        ClusterModeSiloConfigurator.Disks = new();
        return StartCluster<TlsSiloConfigurator>(silos: ClusterModeSiloConfigurator.Nodes);
    }

    /// <summary>Real sockets: TestCluster's in-memory transport would leave no port to knock on.</summary>
    protected override void Configure(TestClusterBuilder builder) => builder.Options.ConnectionTransport = ConnectionTransportType.TcpSocket;

    [Fact]
    public async Task The_store_works_over_tls_between_silos_and_from_the_client()
    {
        var leader = await WaitForStableLeader();
        var client = new Client(Gateway);
        AssertOk(await client.Put("over-tls", "yes"));
        AssertOk(await client.Get("over-tls"), "yes");
        await WaitForConvergence(leader.CommitIndex + 1);
    }

    [Fact]
    public async Task Connections_without_a_certificate_of_the_cluster_and_the_right_role_are_refused_and_change_nothing()
    {
        var before = await WaitForStableLeader();
        var silo = Cluster.Primary ?? throw new InvalidOperationException("the TestCluster has no primary silo");
        var cluster = TestCertificates.Cluster;
        var foreign = TestCertificates.Foreign;

        // The gateway port: no certificate, another authority's client certificate.
        await AssertRefused(silo.GatewayAddress.Endpoint, certificate: null, "a client without a certificate");
        await AssertRefused(silo.GatewayAddress.Endpoint, TestCertificates.Load(foreign, "client"), "a client of another authority");
        // The silo port: the cluster's own client certificate cannot pass as a silo, nor another authority's silo.
        await AssertRefused(silo.SiloAddress.Endpoint, TestCertificates.Load(cluster, "client"), "a client certificate on the silo port");
        await AssertRefused(silo.SiloAddress.Endpoint, TestCertificates.Load(foreign, "silo"), "another authority's silo");

        // The cluster is as it was: same members, nobody crashed, and it still commits.
        Assert.All(await StatusAll(), node =>
        {
            Assert.False(node.Crashed);
            Assert.Equal(NodeIds.Count, node.Voters.Length);
        });
        AssertOk(await new Client(Gateway).Put("after-refusals", "yes"));
        Assert.True((await WaitForStableLeader()).CommitIndex > before.CommitIndex);
    }

    /// <summary>
    /// Opens a TLS connection to <paramref name="endpoint"/> showing <paramref name="certificate"/>, and requires the
    /// silo to end it: the handshake fails, or (TLS 1.3 checks the client's certificate after the client is done) the
    /// first read finds the connection closed. An accepted connection would stay open, waiting for Orleans' preamble.
    /// </summary>
    private static async Task AssertRefused(IPEndPoint endpoint, X509Certificate2? certificate, string who)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(endpoint.Address, endpoint.Port);
        await using var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false, (_, _, _, _) => true);
        using var deadline = new CancellationTokenSource(Refusal);
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = ClusterCertificates.ServerName,
                ClientCertificates = certificate is null ? null : [certificate],
            }, deadline.Token);
            var read = await tls.ReadAsync(new byte[1], deadline.Token);
            Assert.True(read == 0, $"{who}: the silo sent {read} bytes instead of closing the connection");
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"{who}: the silo kept the connection open for {Refusal.TotalSeconds:F0} s (it was accepted)");
        }
        catch (Exception error) when (error is IOException or System.Security.Authentication.AuthenticationException)
        {
            // Refused during the handshake or reset right after it.
        }
    }
}
