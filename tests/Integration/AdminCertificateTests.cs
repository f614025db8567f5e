using System.Security.Cryptography.X509Certificates;
using RaftOrleans.Client.Commands;
using RaftOrleans.Raft;
using RaftOrleans.Tests.Security;
using Xunit;

namespace RaftOrleans.Tests.Integration;

/// <summary>
/// Administration through a gateway beyond the silo's machine: an order is taken only when an administrator's
/// certificate of the cluster's authority signed exactly this order, recently; any other is refused and changes nothing.
/// </summary>
public sealed class AdminCertificateTests : RaftClusterTest
{
    public override Task InitializeAsync() => StartCluster<AdminCertificateSiloConfigurator>();

    private IRaftAdminGrain Admin => Cluster.GrainFactory.GetGrain<IRaftAdminGrain>(0);

    private static string ClusterId => AdminCertificateSiloConfigurator.Options.ClusterId;

    /// <summary>Sends Crash(group, node) with <paramref name="signature"/> in the request context (none: unsigned).</summary>
    private async Task CrashWith(AdminSignature? signature, int node)
    {
        if (signature is not null) RequestContext.Set(AdminOrders.ContextKey, signature);
        try
        {
            await Admin.Crash(Group, node);
        }
        finally
        {
            RequestContext.Remove(AdminOrders.ContextKey);
        }
    }

    private AdminSignature CrashSignedBy(X509Certificate2 signer, int node, DateTimeOffset? at = null) =>
        AdminOrders.Sign(signer, ClusterId, nameof(IRaftAdminGrain.Crash), [Group, node], at);

    [Fact]
    public async Task An_order_signed_by_an_administrator_is_taken_and_every_other_is_refused()
    {
        var leader = await WaitForStableLeader();
        var follower = NodeIds.First(id => id != leader.NodeId);
        var other = NodeIds.First(id => id != leader.NodeId && id != follower);
        var admin = TestCertificates.Load(TestCertificates.Cluster, "admin");

        var refusals = new (string What, Func<Task> Order, string Reason)[]
        {
            ("unsigned", () => CrashWith(null, follower), "it is not signed by an administrator"),
            ("signed by a client", () => CrashWith(CrashSignedBy(TestCertificates.Load(TestCertificates.Cluster, "client"), follower), follower),
                "has the role 'client', not admin"),
            ("signed by another authority's administrator", () => CrashWith(CrashSignedBy(TestCertificates.Load(TestCertificates.Foreign, "admin"), follower), follower),
                "was not issued by the cluster's authority"),
            ("signed for another node", () => CrashWith(CrashSignedBy(admin, other), follower), "its signature does not match the order"),
            ("signed ten minutes ago", () => CrashWith(CrashSignedBy(admin, follower, DateTimeOffset.UtcNow.AddMinutes(-10)), follower),
                "more than 120 s"),
            ("dated a minute ahead", () => CrashWith(CrashSignedBy(admin, follower, DateTimeOffset.UtcNow.AddMinutes(1)), follower),
                "in the future"),
            ("signed for another cluster", () => CrashWith(AdminOrders.Sign(admin, "another-cluster", nameof(IRaftAdminGrain.Crash), [Group, follower]), follower),
                "its signature does not match the order"),
        };
        foreach (var (what, order, reason) in refusals)
        {
            var refused = await Assert.ThrowsAsync<CallRefusedException>(order);
            Assert.True(refused.Message.Contains(reason), $"{what}: {refused.Message}");
        }
        Assert.All(await StatusAll(), node => Assert.False(node.Crashed, $"node {node.NodeId} crashed"));

        await CrashWith(CrashSignedBy(admin, follower), follower);
        Assert.True((await Node(follower).GetStatus()).Crashed);
        Assert.All((await StatusAll()).Where(node => node.NodeId != follower), node => Assert.False(node.Crashed));
    }

    [Fact]
    public async Task A_signed_membership_change_is_taken_as_signed()
    {
        var leader = await WaitForLeaderThatMayChange();
        var change = new MembershipChange(MembershipChangeKind.AddLearner, 6);
        RequestContext.Set(AdminOrders.ContextKey,
            AdminOrders.Sign(TestCertificates.Load(TestCertificates.Cluster, "admin"), ClusterId, nameof(IRaftAdminGrain.ChangeMembership), [Group, leader.NodeId, change]));
        MembershipResult result;
        try
        {
            result = await Admin.ChangeMembership(Group, leader.NodeId, change);
        }
        finally
        {
            RequestContext.Remove(AdminOrders.ContextKey);
        }
        Assert.True(result.Status == MembershipStatus.Committed, result.ToString());
    }

    [Fact]
    public async Task The_consoles_orders_signed_with_its_admin_certificate_are_taken()
    {
        var leader = await WaitForStableLeader();
        var follower = NodeIds.First(id => id != leader.NodeId);
        var unsigned = new NodeHandle(Cluster.GrainFactory, Group, follower, SpreadOverSilos: false, ClusterId: ClusterId);
        var signed = unsigned with { Administrator = TestCertificates.Load(TestCertificates.Cluster, "admin") };

        await Assert.ThrowsAsync<CallRefusedException>(() => unsigned.CutOff([leader.NodeId]));
        await signed.CutOff([leader.NodeId]); // an int[] argument
        await signed.CutOff([]);
        await signed.Crash();
        Assert.True((await Node(follower).GetStatus()).Crashed);
        await signed.Restart();
        Assert.False((await Node(follower).GetStatus()).Crashed);
        var transfer = await (signed with { NodeId = leader.NodeId }).TransferLeadership(null); // an int? argument, null
        Assert.NotNull(transfer);
    }
}
