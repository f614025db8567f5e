using System.Diagnostics;
using Orleans.TestingHost;
using RaftOrleans.Configuration;
using RaftOrleans.KeyValue.Sessions;
using RaftOrleans.Kv;
using RaftOrleans.Silo;
using RaftOrleans.Storage;
using RaftOrleans.Tests.Integration;
using Xunit;

namespace RaftOrleans.Tests.Library;

/// <summary>
/// A session's renewal is per group: each group's state machine keeps (and expires) the client's session on its own,
/// so a busy group must not hide that another has gone quiet.
/// </summary>
public sealed class SessionRenewalTests : RaftClusterTest
{
    public override Task InitializeAsync() => StartCluster<TwoGroupsShortSessions>();

    [Fact]
    public async Task A_write_to_a_group_quiet_for_half_a_lifetime_renews_the_session_while_another_group_is_busy()
    {
        foreach (var group in TwoGroupsShortSessions.Options.Groups.All) await WaitForStableLeader($"a leader of group {group.Name}", group);
        var route = new GatewayRoute(Cluster.Client, await Gateway.GetClientSettings());
        var (a, b) = (route.ForGroup("a"), route.ForGroup("b"));
        var session = new KvSession(route);
        Assert.True((await Put(session, a, "a-0")).Succeeded);
        var first = session.ClientId;

        // Group b is written all along, group a not at all, for a lifetime and a half.
        var quiet = Stopwatch.StartNew();
        for (var i = 1; quiet.Elapsed < TwoGroupsShortSessions.Options.SessionLifetime * 1.5; i++)
        {
            var busy = await Put(session, b, $"b-{i}");
            Assert.True(busy.Succeeded, busy.Result.ToString());
            Assert.Equal(first, session.ClientId); // b's session is fresh: nothing to renew
        }
        AssertOk(await new Client(Gateway, "a").Put("tick", "sweeps")); // group a sweeps: the session there is gone

        // Renewed before it is sent, the write to a goes out once under a new id (no SessionExpired, no second send).
        var outcome = await Put(session, a, "a-1");
        Assert.True(outcome.Succeeded, outcome.Result.ToString());
        Assert.Equal(0, outcome.Resends);
        Assert.NotEqual(first, session.ClientId);
    }

    private static Task<RequestOutcome> Put(KvSession session, GatewayRoute group, string key) =>
        session.SendAsync(group, KvOperation.Put, key, "v", TimeSpan.FromSeconds(10), CancellationToken.None);

    /// <summary>One silo, groups a and b of three replicas each, sessions that expire after two seconds.</summary>
    public sealed class TwoGroupsShortSessions : ISiloConfigurator
    {
        public static readonly RaftClusterOptions Options = RaftClusterOptionsFactory.From(RaftConfig.Default with
        {
            Cluster = new ClusterSettings { Nodes = 5 },
            Groups = [new GroupSettings("a", 3), new GroupSettings("b", 3)],
            Gateway = RaftConfig.Default.Gateway with { RequestTimeoutMs = 2000 },
        }) with { SessionLifetime = TimeSpan.FromSeconds(2) };

        public void Configure(ISiloBuilder siloBuilder) => siloBuilder.AddRaftKeyValueStore(Options, new InMemoryRaftStorageProvider());
    }
}
