using System.Diagnostics.Metrics;
using Orleans.TestingHost;
using RaftOrleans.Kv;
using RaftOrleans.Metrics;
using RaftOrleans.KeyValue.Sessions;
using RaftOrleans.Status;
using Xunit;

namespace RaftOrleans.Tests.Integration;

/// <summary>
/// One Raft node per silo (cluster mode) in a three-silo TestCluster: each node lives on its own silo and nowhere
/// else, losing the leader's silo (stopped or killed) fails over, and a silo that comes back brings its node back
/// on itself, caught up. The primary silo holds TestCluster's membership, so the silo taken down is a secondary.
/// </summary>
public sealed class ClusterModeTests : RaftClusterTest
{
    protected override IReadOnlyList<int> NodeIds => Enumerable.Range(1, ClusterModeSiloConfigurator.Nodes).ToArray();

    public override Task InitializeAsync()
    {
        ClusterModeSiloConfigurator.Disks = new();
        return StartCluster<ClusterModeSiloConfigurator>(silos: ClusterModeSiloConfigurator.Nodes);
    }

    [Fact]
    public async Task Each_node_runs_on_the_silo_configured_for_it()
    {
        await WaitForEveryNode();
        foreach (var silo in Cluster.Silos)
        {
            var node = ClusterModeSiloConfigurator.NodeOf(silo.Name);
            var status = await Node(node).GetStatus();
            Assert.True(IsOn(status, silo), $"node {node} runs on {status.Silo}, expected {silo.SiloAddress}");
        }
    }

    [Fact]
    public async Task A_stopped_leader_silo_fails_over_and_its_node_comes_back_on_it_caught_up()
    {
        await WaitForEveryNode();
        var client = new Client(Gateway);
        for (var i = 0; i < 10; i++) AssertOk(await client.Put($"before-{i}", $"{i}"));
        var (leader, silo) = await LeaderOnASecondarySilo();

        await Cluster.StopSiloAsync(silo);
        var successor = await WaitForStableLeader("a new leader after its silo stopped");
        Assert.NotEqual(leader.NodeId, successor.NodeId);
        AssertOk(await client.Put("after", "x"));
        await AssertRefusedElsewhere(leader.NodeId);

        // The same instance number gives the same name, so the silo hosts the same node again. (TestCluster's own
        // restart looks for the silo among the running ones, where a stopped one no longer is.)
        var restarted = await Cluster.StartSiloAsync(leader.NodeId - 1, Cluster.Options);
        try
        {
            await WaitForEveryNode();
            var healed = await WaitForStableLeader("every node back, following one leader");
            await WaitForConvergence(atLeast: healed.CommitIndex);
            Assert.True(IsOn(await Node(leader.NodeId).GetStatus(), restarted), $"node {leader.NodeId} did not come back on its own silo");
            for (var i = 0; i < 10; i++) AssertOk(await client.Get($"before-{i}"), $"{i}");
            AssertOk(await client.Get("after"), "x");
        }
        finally
        {
            await Cluster.StopSiloAsync(restarted); // started outside TestCluster's own list, so stopped here
        }
    }

    [Fact]
    public async Task A_killed_leader_silo_fails_over_without_losing_an_acknowledged_write()
    {
        await WaitForEveryNode();
        var client = new Client(Gateway);
        for (var i = 0; i < 10; i++) AssertOk(await client.Put($"before-{i}", $"{i}"));
        var (leader, silo) = await LeaderOnASecondarySilo();

        await Cluster.KillSiloAsync(silo);
        var successor = await WaitForStableLeader("a new leader after its silo was killed");
        Assert.NotEqual(leader.NodeId, successor.NodeId);
        AssertOk(await client.Put("after", "x"));
        for (var i = 0; i < 10; i++) AssertOk(await client.Get($"before-{i}"), $"{i}");
    }

    [Fact]
    public async Task The_client_reports_the_lost_gateway_connection_of_a_killed_silo()
    {
        // What a session's early resend rests on: Orleans tells the client's GatewayCountChangedHandler when a
        // gateway's connection goes (it fails nothing already sent on it).
        await WaitForEveryNode();
        var losses = GatewayLosses.Of(Cluster.Client) ?? throw new InvalidOperationException("the test client has no GatewayLosses");
        // Calls under many gateway keys: the client then holds a connection to every silo's gateway.
        for (var key = 0; key < GatewayRoute.GatewayKeys; key++) await Cluster.Client.GetGrain<IKvGatewayGrain>(key).GetClientSettings();
        var lost = losses.Next;
        Assert.False(lost.IsCompleted);

        await Cluster.KillSiloAsync(Cluster.SecondarySilos[0]);

        await WaitFor(() => Task.FromResult(lost.IsCompleted ? "" : null), "the client to report a lost gateway connection");
    }

    [Fact]
    public async Task A_session_sends_its_requests_to_the_gateway_on_the_leaders_silo()
    {
        await WaitForEveryNode();
        var route = new GatewayRoute(Cluster.Client, await Gateway.GetClientSettings());
        var session = new KvSession(route);
        // The first answers tell the route who leads and which silo the keys it used reach.
        for (var i = 0; i < 20; i++) Assert.True((await session.PutAsync($"learn-{i}", "v")).Succeeded);

        using var remote = new RemoteAttempts();
        var answers = new List<KvResult>();
        for (var i = 0; i < 30; i++)
        {
            var outcome = await session.PutAsync($"routed-{i}", "v");
            Assert.True(outcome.Succeeded, outcome.Result.ToString());
            answers.Add(outcome.Result);
        }
        // Each answer names the gateway's node and the leader's; a leader change under way may cost one or two.
        var elsewhere = answers.Count(a => a.GatewayNode != a.Leader);
        Assert.True(elsewhere <= 2, $"{elsewhere} of {answers.Count} writes went through a gateway on another silo than the leader's");
        Assert.True(remote.Count <= elsewhere, $"{remote.Count} gateway attempts went to another silo, {elsewhere} answers say so");

        // And the gateways count an attempt that crosses to another silo: a gateway key that reaches a follower's silo,
        // used on purpose.
        var followerKey = -1;
        for (var key = 0; key < GatewayRoute.GatewayKeys && followerKey < 0; key++)
        {
            var seen = await Cluster.Client.GetGrain<IKvGatewayGrain>(key).Get(Guid.NewGuid(), 1, "routed-0");
            if (seen.GatewayNode != seen.Leader) followerKey = key;
        }
        Assert.True(followerKey >= 0, "no gateway key reaches a follower's silo");
        var before = remote.Count;
        for (var i = 0; i < 5; i++) await Cluster.Client.GetGrain<IKvGatewayGrain>(followerKey).Get(Guid.NewGuid(), 1, "routed-0");
        Assert.True(remote.Count - before >= 5, $"5 requests through a follower's gateway, {remote.Count - before} remote attempts counted");
    }

    /// <summary>The gateways' count of attempts at a node on another silo, over every silo of this process, while it lives.</summary>
    private sealed class RemoteAttempts : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _count;

        public RemoteAttempts()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == RaftMetrics.MeterName && instrument.Name == "raftorleans.gateway.remote_attempts") listener.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _count, value));
            _listener.Start();
        }

        public long Count => Interlocked.Read(ref _count);

        public void Dispose() => _listener.Dispose();
    }

    /// <summary>Until every node answers (membership has seen every silo) and one of them leads.</summary>
    private async Task WaitForEveryNode()
    {
        await WaitFor(async () => (await StatusAll()).Length == NodeIds.Count ? "" : null, "every node's silo to be active");
        await WaitForStableLeader();
    }

    /// <summary>Node N never starts anywhere but on its silo: while that silo is down, the node is refused, not re-created empty.</summary>
    private async Task AssertRefusedElsewhere(int node)
    {
        var refused = await WaitFor(async () =>
        {
            try
            {
                await Node(node).GetStatus();
                return null; // membership has not yet seen the silo go
            }
            catch (RaftNodeUnavailableException error)
            {
                return error;
            }
        }, $"node {node} to be refused while its silo is down");
        Assert.Contains($"its silo (raft-node-{node}) is not active", refused.Message);
    }

    /// <summary>
    /// A stable leader hosted on a secondary silo (the primary silo holds TestCluster's membership). When node 1
    /// leads, its replica is crashed and restarted (fault injection, its silo stays up) until another node leads.
    /// </summary>
    private async Task<(NodeStatus Leader, SiloHandle Silo)> LeaderOnASecondarySilo()
    {
        while (true)
        {
            var leader = await WaitForStableLeader();
            if (leader.NodeId != 1)
                return (leader, Cluster.Silos.SingleOrDefault(s => ClusterModeSiloConfigurator.NodeOf(s.Name) == leader.NodeId)
                    ?? throw new InvalidOperationException($"no silo for node {leader.NodeId} among {string.Join(", ", Cluster.Silos.Select(s => s.Name))}"));
            await Node(1).Crash();
            await WaitFor(async () => (await StatusAll()).Any(s => !s.Crashed && s.Role == "Leader" && s.NodeId != 1) ? "" : null,
                "another node to lead while node 1 is crashed");
            await Node(1).Restart();
        }
    }

    private static bool IsOn(NodeStatus status, SiloHandle silo) =>
        status.Silo is { } identity && identity.StartsWith($"S{silo.SiloAddress.Endpoint}:", StringComparison.Ordinal);
}
