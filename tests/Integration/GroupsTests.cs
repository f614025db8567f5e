using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using RaftOrleans.Replica;
using RaftOrleans.Groups;
using RaftOrleans.Kv;
using RaftOrleans.Silo;
using RaftOrleans.Status;
using Xunit;

namespace RaftOrleans.Tests.Integration;

/// <summary>
/// Several Raft groups on three silos (cluster mode, <see cref="GroupsSiloConfigurator"/>): each group's replicas on
/// distinct silos, keys spread over the groups by hash, a named group its own key space with its own sessions
/// (exactly-once per group), and every group failing over when a silo dies.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class GroupsTests : RaftClusterTest
{
    private static readonly RaftGroups Groups = RaftClusterOptionsFactory.GroupsOf(GroupsSiloConfigurator.Config);

    protected override IReadOnlyList<int> NodeIds => Groups.All[0].Members;

    protected override string Group => Groups.All[0].Name;

    public override Task InitializeAsync()
    {
        GroupsSiloConfigurator.Disks = new();
        return StartCluster<GroupsSiloConfigurator>(silos: ClusterModeSiloConfigurator.Nodes);
    }

    [Fact]
    public void The_layout_starts_each_group_one_node_further_on()
    {
        Assert.Equal(["alpha", "beta", "gamma"], Groups.All.Select(g => g.Name));
        Assert.Equal([1, 2, 3], Groups["alpha"].Members);
        Assert.Equal([2, 3, 1], Groups["beta"].Members);
        Assert.Equal([3], Groups["gamma"].Members);
    }

    [Fact]
    public async Task No_two_replicas_of_a_group_share_a_silo_and_each_runs_on_its_nodes_silo()
    {
        await WaitForEveryGroup();
        foreach (var group in Groups.All)
        {
            var statuses = await Task.WhenAll(group.Members.Select(id => Node(id, group.Name).GetStatus()));
            Assert.All(statuses, s => Assert.Equal(group.Name, s.Group));
            Assert.Equal(statuses.Length, statuses.Select(s => s.Silo).Distinct().Count());
            foreach (var status in statuses)
            {
                var silo = Cluster.Silos.Single(s => ClusterModeSiloConfigurator.NodeOf(s.Name) == status.NodeId);
                Assert.StartsWith($"S{silo.SiloAddress.Endpoint}:", status.Silo);
            }
        }
    }

    [Fact]
    public async Task Keys_spread_over_the_groups_by_hash_and_a_named_group_is_a_key_space_of_its_own()
    {
        await WaitForEveryGroup();
        var keys = Enumerable.Range(0, 60).Select(i => $"key-{i}").ToArray();
        foreach (var key in keys) AssertOk(await new Client(Gateway).Put(key, "v"));
        foreach (var group in Groups.All)
        {
            var expected = keys.Count(k => Groups.For(null, k) == group);
            Assert.True(expected > 0, $"no key of 60 hashed to group {group.Name}");
            await WaitFor(async () => (await Node(group.Members[0], group.Name).GetStatus()).KeyCount == expected ? "" : null,
                $"group {group.Name} to hold the {expected} keys that hash to it");
        }

        // The same key in two named groups is two keys.
        AssertOk(await new Client(Gateway, "alpha").Put("shared", "in alpha"));
        AssertOk(await new Client(Gateway, "beta").Put("shared", "in beta"));
        AssertOk(await new Client(Gateway, "alpha").Get("shared"), "in alpha");
        AssertOk(await new Client(Gateway, "beta").Get("shared"), "in beta");

        var unknown = await Gateway.Put(Guid.NewGuid(), 1, "k", "v", "delta");
        Assert.Equal(KvStatus.Invalid, unknown.Status);
        Assert.Contains("there is no group 'delta'", unknown.Reason);
        Assert.Contains("alpha, beta, gamma", unknown.Reason);
    }

    [Fact]
    public async Task A_resend_is_applied_once_per_group_and_sessions_of_groups_are_apart()
    {
        await WaitForEveryGroup();
        var client = Guid.NewGuid();
        AssertOk(await Gateway.Put(client, 1, "once", "1", "alpha"));
        // The resend of the same request: answered as the first time, not "the key exists".
        AssertOk(await Gateway.Put(client, 1, "once", "1", "alpha"));
        // The same client's first write to another group is that group's #1: its session there is its own.
        AssertOk(await Gateway.Put(client, 1, "once", "1", "beta"));
        var exists = await Gateway.Put(client, 2, "once", "2", "alpha");
        Assert.Equal(KvStatus.KeyExists, exists.Status);
        var alpha = await WaitForStableLeader("alpha's leader", Groups["alpha"]);
        var beta = await WaitForStableLeader("beta's leader", Groups["beta"]);
        Assert.Equal(1, alpha.KeyCount);
        Assert.Equal(1, beta.KeyCount);
    }

    [Fact]
    public async Task Every_group_fails_over_when_a_silo_is_killed()
    {
        await WaitForEveryGroup();
        var clients = Groups.All.ToDictionary(g => g.Name, g => new Client(Gateway, g.Name));
        foreach (var (group, client) in clients) AssertOk(await client.Put("before", group));
        // Each group led by its preferred node first (a hand-over to it would start a new term below).
        foreach (var group in Groups.All) await WaitForStableLeaderOn(group, group.PreferredLeader);
        // Idle now, every group quiesces: the kill then meets leaders that send no heartbeats, whose followers on
        // other silos hear of them only through their silos' beats (SiloHeartbeatGrain) and must learn of the silence.
        foreach (var group in Groups.All)
        {
            await WaitFor(async () => (await StatusAll(group)).All(s => s.Quiesced) ? "" : null, $"group {group.Name} quiesced");
        }
        // Quiet, the groups stay led as they are: followers hear their leaders' silos beat (twenty beats each, a second),
        // and nobody campaigns. (With the beats between silos lost, the followers would campaign within 150 ms.)
        var terms = await TermsOfEveryGroup();
        var heard = Cluster.Silos.OfType<InProcessSiloHandle>().Select(Heartbeats).ToDictionary(h => h, h => h.Heard);
        await WaitFor(() => Task.FromResult(heard.All(h => h.Key.Count == 0 || h.Key.Heard - h.Value >= 20) ? "" : null),
            "every silo's quiesced followers to hear twenty beats");
        Assert.Equal(terms, await TermsOfEveryGroup());

        // Node 2's silo (a secondary; the primary holds TestCluster's membership) has replicas of alpha and beta.
        var victim = Cluster.Silos.Single(s => ClusterModeSiloConfigurator.NodeOf(s.Name) == 2);
        await Cluster.KillSiloAsync(victim);

        foreach (var group in Groups.All)
        {
            var leader = await WaitFor(async () =>
            {
                var live = (await StatusAll(group)).Where(s => !s.Crashed).ToArray();
                return live.SingleOrDefault(s => s.Role == "Leader" && s.NodeId != 2 && live.All(o => o.LeaderId == s.NodeId && o.Term == s.Term));
            }, $"group {group.Name} led by a node of a surviving silo");
            Assert.NotEqual(2, leader.NodeId);
            AssertOk(await clients[group.Name].Put("after", group.Name));
            AssertOk(await clients[group.Name].Get("before"), group.Name);
        }
    }

    private static SiloHeartbeats Heartbeats(InProcessSiloHandle silo) => silo.SiloHost.Services.GetRequiredService<SiloHeartbeatHost>().Heartbeats;

    /// <summary>Each live node's (group, node, term, quiesced), in order.</summary>
    private async Task<string> TermsOfEveryGroup()
    {
        var all = new List<string>();
        foreach (var group in Groups.All)
            all.AddRange((await StatusAll(group)).Where(s => !s.Crashed).Select(s => $"{group.Name}/{s.NodeId}: t{s.Term}{(s.Quiesced ? " quiesced" : "")}"));
        return string.Join(", ", all);
    }

    [Fact]
    public async Task Leaders_spread_over_the_silos_and_return_to_their_preferred_node()
    {
        await WaitForEveryGroup();
        // Each group's preferred leader is its first member: alpha node 1, beta node 2, gamma node 3 — one per silo.
        foreach (var group in Groups.All)
            await WaitForStableLeaderOn(group, group.PreferredLeader);

        // Moved away by hand (an election would do the same), alpha's leadership comes back to node 1.
        // Node 3 then leads a term of its own and hands back: node 1 leads again, two terms on at least.
        var alpha = Groups["alpha"];
        var before = await WaitForStableLeaderOn(alpha, 1);
        var moved = await Node(1, alpha.Name).TransferLeadership(3);
        Assert.True(moved.Started, $"the transfer did not start: {moved}");
        await WaitForStableLeaderOn(alpha, 1, afterTerm: before.Term + 1);
    }

    private Task<NodeStatus> WaitForStableLeaderOn(RaftGroup group, int node, long afterTerm = 0) =>
        WaitFor(async () =>
        {
            var live = (await StatusAll(group)).Where(s => !s.Crashed).ToArray();
            var leader = live.SingleOrDefault(s => s.Role == "Leader");
            return leader is not null && leader.NodeId == node && leader.Term > afterTerm && live.All(s => s.LeaderId == node && s.Term == leader.Term)
                ? leader : null;
        }, $"group {group.Name} led by node {node}" + (afterTerm > 0 ? $" in a term after {afterTerm}" : ""));

    /// <summary>Until every replica of every group answers and each group has one leader its live replicas follow.</summary>
    private async Task WaitForEveryGroup()
    {
        foreach (var group in Groups.All)
        {
            await WaitFor(async () => (await StatusAll(group)).Length == group.Members.Count ? "" : null, $"every replica of group {group.Name} to answer");
            await WaitForStableLeader($"a leader of group {group.Name}", group);
        }
    }
}
