using Orleans.Runtime;
using RaftOrleans.Kv;
using RaftOrleans.Raft;
using RaftOrleans.Status;
using Xunit;

namespace RaftOrleans.Tests.Integration;

/// <summary>
/// What a client (an Orleans client connected to a gateway, here the TestCluster's) may and may not do: it reaches the
/// gateway and, from this machine, the administration grain; everything else is refused before it runs, and a refused
/// call changes no node.
/// </summary>
public sealed class SecurityTests : RaftClusterTest
{
    /// <summary>The grains as a client reaches them.</summary>
    private IGrainFactory Outside => Cluster.GrainFactory;

    [Fact]
    public async Task A_client_that_calls_a_node_or_any_grain_but_the_gateway_is_refused_and_no_node_changes()
    {
        var leader = await WaitForStableLeader();
        AssertOk(await new Client(Gateway).Put("before", "1"));
        var follower = NodeIds.First(id => id != leader.NodeId);
        var forgedTerm = leader.Term + 5;
        var toFollower = Outside.RaftNode(Group, follower);
        var toLeader = Outside.RaftNode(Group, leader.NodeId);
        var calls = new (string What, Func<Task> Call)[]
        {
            ("a forged AppendEntries", () => toFollower.AppendEntries(new AppendEntries
            {
                From = leader.NodeId, To = follower, Term = forgedTerm, PrevLogIndex = 0, PrevLogTerm = 0,
                Entries = [new LogEntry(1, forgedTerm, [1, 2, 3])], LeaderCommit = 1,
            })),
            ("a forged RequestVote", () => toLeader.RequestVote(new RequestVote
            {
                From = follower, To = leader.NodeId, Term = forgedTerm, LastLogIndex = 1_000_000, LastLogTerm = forgedTerm,
            })),
            ("a forged InstallSnapshot", () => toFollower.InstallSnapshot(new InstallSnapshot
            {
                From = leader.NodeId, To = follower, Term = forgedTerm, LastIncludedIndex = 1_000_000, LastIncludedTerm = forgedTerm,
                Offset = 0, Data = [0], Done = true, Config = ClusterConfig.Bootstrap([follower]),
            })),
            ("a forged TimeoutNow", () => toFollower.TimeoutNow(new TimeoutNow { From = leader.NodeId, To = follower, Term = leader.Term })),
            ("a direct crash", () => toLeader.Crash()),
            ("a direct restart", () => toLeader.Restart()),
            ("a direct cut-off", () => toLeader.CutOff([follower])),
            ("a direct submit", () => toLeader.Submit([new KvRequest(Guid.NewGuid(), 1, KvOperation.Put, "forged", "x")])),
            ("a direct transfer", () => toLeader.TransferLeadership(follower)),
            ("a direct membership change", () => toLeader.ChangeMembership(new MembershipChange(MembershipChangeKind.Remove, follower))),
            ("a direct status", () => toLeader.GetStatus()),
            ("Orleans' management grain", () => Outside.GetGrain<IManagementGrain>(0).GetHosts()),
        };
        foreach (var (what, call) in calls)
        {
            var refused = await Assert.ThrowsAsync<CallRefusedException>(call);
            Assert.True(refused.Message.Contains("is not open to clients"), $"{what}: {refused.Message}");
        }

        // No node took any of it: none crashed or cut off, no term reached the forged one (an election of the loaded
        // machine's own may raise it by one or two), no log or snapshot jumped, the membership and the data are as they were.
        var after = await StatusAll();
        Assert.Equal(NodeIds.Count, after.Length);
        Assert.All(after, node =>
        {
            Assert.False(node.Crashed, $"node {node.NodeId} crashed");
            Assert.True(node.Term < forgedTerm, $"node {node.NodeId} is at term {node.Term}");
            Assert.True(node.LastLogIndex < 1_000 && node.SnapshotIndex < 1_000, $"node {node.NodeId}: log {node.LastLogIndex}, snapshot {node.SnapshotIndex}");
            Assert.Equal(NodeIds.Count, node.Voters.Length);
        });
        // Status through the gateway, open to clients, is given for the group's members only: asking for another node id
        // would activate a node grain (and its storage) that no configuration has.
        Assert.Equal(follower, (await Gateway.GetNodeStatus(Group, follower)).NodeId);
        var stranger = await Assert.ThrowsAsync<ArgumentException>(() => Gateway.GetNodeStatus(Group, 42));
        Assert.Contains("node 42 is not a member of group", stranger.Message);

        var client = new Client(Gateway);
        AssertOk(await client.Get("before"), "1");
        Assert.Equal(KvStatus.NotFound, (await client.Get("forged")).Status);
        AssertOk(await client.Put("after", "2"));
        await WaitForConvergence((await WaitForStableLeader()).CommitIndex);
    }

    [Fact]
    public async Task A_client_on_this_machine_gives_administrative_and_fault_orders_through_the_administration_grain()
    {
        var admin = Outside.GetGrain<IRaftAdminGrain>(0);
        var leader = await WaitForStableLeader();
        var follower = NodeIds.First(id => id != leader.NodeId);

        await admin.Crash(Group, follower);
        Assert.True((await Node(follower).GetStatus()).Crashed);
        await admin.Restart(Group, follower);
        Assert.False((await Node(follower).GetStatus()).Crashed);

        var target = await WaitFor(async () =>
        {
            var status = await StatusAll();
            return status.FirstOrDefault(s => s.NodeId != leader.NodeId && s.Role == "Follower"
                && s.LastLogIndex == status.Max(n => n.LastLogIndex));
        }, "a follower with the whole log");
        var transfer = await admin.TransferLeadership(Group, leader.NodeId, target.NodeId);
        Assert.True(transfer.Started, transfer.ToString());
        await WaitFor(async () => (await StatusAll()).FirstOrDefault(s => s.NodeId == target.NodeId && s.Role == ClusterMembers.LeaderRole),
            $"node {target.NodeId} to lead after the transfer");

        var unknown = await Assert.ThrowsAsync<ArgumentException>(() => admin.Crash("no-such-group", 1));
        Assert.Contains("there is no group 'no-such-group'", unknown.Message);
        // A node id no configuration has (a typo: `client crash 42`) would create that node, with its storage.
        var stranger = await Assert.ThrowsAsync<ArgumentException>(() => admin.Crash(Group, 42));
        Assert.Contains("node 42 is not a member of group", stranger.Message);
    }
}

/// <summary>Fault injection off (raft.toml's default): crash, restart and cut-off orders exist for nobody.</summary>
public sealed class FaultsOffTests : RaftClusterTest
{
    public override Task InitializeAsync() => StartCluster<FaultsOffSiloConfigurator>();

    [Fact]
    public async Task Fault_orders_are_refused_from_clients_and_from_inside_and_nothing_crashes()
    {
        var leader = await WaitForStableLeader();
        var admin = Cluster.GrainFactory.GetGrain<IRaftAdminGrain>(0);
        var orders = new Func<Task>[]
        {
            () => admin.Crash(Group, leader.NodeId),
            () => admin.Restart(Group, leader.NodeId),
            () => admin.CutOff(Group, leader.NodeId, [NodeIds.First(id => id != leader.NodeId)]),
            () => Node(leader.NodeId).Crash(), // from inside the cluster too
            () => Node(leader.NodeId).CutOff([NodeIds.First(id => id != leader.NodeId)]),
        };
        foreach (var order in orders)
        {
            var refused = await Assert.ThrowsAsync<CallRefusedException>(order);
            Assert.Contains("[faults] enabled = true", refused.Message);
        }

        Assert.All(await StatusAll(), node => Assert.False(node.Crashed, $"node {node.NodeId} crashed"));
        var client = new Client(Gateway);
        AssertOk(await client.Put("still-works", "yes"));
        AssertOk(await client.Get("still-works"), "yes");
    }
}

/// <summary>A silo whose gateway listens beyond its machine: no administration from clients.</summary>
public sealed class RemoteGatewayAdminTests : RaftClusterTest
{
    public override Task InitializeAsync() => StartCluster<RemoteGatewaySiloConfigurator>();

    [Fact]
    public async Task Administrative_orders_from_clients_are_refused_and_change_nothing_while_data_requests_work()
    {
        var leader = await WaitForStableLeader();
        var follower = NodeIds.First(id => id != leader.NodeId);
        var admin = Cluster.GrainFactory.GetGrain<IRaftAdminGrain>(0);
        var orders = new Func<Task>[]
        {
            () => admin.ChangeMembership(Group, leader.NodeId, new MembershipChange(MembershipChangeKind.Remove, follower)),
            () => admin.TransferLeadership(Group, leader.NodeId, follower),
            () => admin.Crash(Group, follower),
        };
        foreach (var order in orders)
        {
            var refused = await Assert.ThrowsAsync<CallRefusedException>(order);
            Assert.Contains("administration from clients needs the gateways on a loopback address", refused.Message);
        }

        Assert.All(await StatusAll(), node =>
        {
            Assert.False(node.Crashed, $"node {node.NodeId} crashed");
            Assert.Equal(NodeIds.Count, node.Voters.Length);
        });
        var client = new Client(Gateway);
        AssertOk(await client.Put("data", "works"));
        AssertOk(await client.Get("data"), "works");
    }
}

/// <summary>The limits against one client exhausting a silo: requests in flight per connection, and the largest message.</summary>
public sealed class ClientLimitsTests : RaftClusterTest
{
    public override Task InitializeAsync() => StartCluster<SmallLimitsSiloConfigurator>();

    [Fact]
    public async Task A_client_past_its_requests_in_flight_is_refused_at_once_and_served_again_once_answered()
    {
        await WaitForStableLeader();
        // No majority: every put waits for its whole deadline (2 s), so the first four are still in flight when the rest arrive.
        var down = NodeIds.Take(3).ToArray();
        foreach (var node in down) await Node(node).Crash();
        var client = new Client(Gateway);
        var puts = Enumerable.Range(1, 10).Select(i => Capture(Gateway.Put(Guid.NewGuid(), 1, $"k{i}", "v"))).ToArray();
        var outcomes = await Task.WhenAll(puts);

        var refused = outcomes.OfType<CallRefusedException>().ToArray();
        Assert.Equal(6, refused.Length);
        Assert.All(refused, error => Assert.Contains("gateway.max_requests_in_flight", error.Message));
        Assert.Equal(4, outcomes.OfType<KvResult>().Count(result => result.Status == KvStatus.Unavailable));

        foreach (var node in down) await Node(node).Restart();
        await WaitForStableLeader();
        AssertOk(await client.Put("served-again", "yes"));
    }

    [Fact]
    public async Task A_batch_counts_as_the_requests_it_carries()
    {
        await WaitForStableLeader();
        var limit = SmallLimitsSiloConfigurator.Options.MaxRequestsInFlight;
        KvGroupRequest Put(int i) => new(new KvRequest(Guid.NewGuid(), 1, KvOperation.Put, $"batch-{i}", "v"));

        var refused = await Assert.ThrowsAsync<CallRefusedException>(() => Gateway.Batch([.. Enumerable.Range(0, limit + 1).Select(Put)]));
        Assert.Contains($"sent {limit + 1} more", refused.Message);
        Assert.Contains("gateway.max_requests_in_flight", refused.Message);

        var answers = await Gateway.Batch([.. Enumerable.Range(0, limit).Select(Put)]);
        Assert.All(answers, answer => Assert.Equal(KvStatus.Ok, answer.Status));
    }

    [Fact]
    public async Task A_message_larger_than_any_of_ours_is_not_read_and_the_silo_goes_on()
    {
        await WaitForStableLeader();
        var bound = SmallLimitsSiloConfigurator.Options.MaxMessageBytes;
        Assert.True(bound < 3 << 20, $"the bound is {bound} bytes");
        var hugeValue = new string('x', 3 << 20);

        // The silo reads no further than the frame's length and drops the connection: the client hears nothing back and
        // gives up after its own deadline (here 5 s). Without the bound the gateway would read the value and answer Invalid.
        var outcome = await Capture(Gateway.Put(Guid.NewGuid(), 1, "huge", hugeValue).WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.True(outcome is Exception, $"the silo read the whole message and answered {outcome}");

        // The silo goes on: once the client's connection is back, a put of a normal size succeeds, and the huge one was
        // never stored. Each attempt is sent once, by a new client id, with a deadline. (Right after a dropped connection
        // the silo may count a few more of this client's calls in flight than it sent one by one, and refuse one for a
        // moment; the Orleans client may deliver again what it sent as the connection went down.)
        await WaitFor(async () => await Capture(Gateway.Put(Guid.NewGuid(), 1, $"normal-{Guid.NewGuid():N}", "v").WaitAsync(TimeSpan.FromSeconds(5)))
            is KvResult { Status: KvStatus.Ok } ok ? ok : null, "a put of a normal size to succeed after the refused one");
        var huge = await WaitFor(async () => await Capture(Gateway.Get(Guid.NewGuid(), 1, "huge").WaitAsync(TimeSpan.FromSeconds(5))) as KvResult,
            "a get of the huge key to answer");
        Assert.Equal(KvStatus.NotFound, huge.Status);
    }

    private static async Task<object> Capture(Task<KvResult> call)
    {
        try
        {
            return await call;
        }
        catch (Exception error)
        {
            return error;
        }
    }
}
