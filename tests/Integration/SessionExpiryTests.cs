using System.Diagnostics;
using RaftOrleans.Client.Connection;
using RaftOrleans.KeyValue.Sessions;
using RaftOrleans.Configuration;
using RaftOrleans.Kv;
using RaftOrleans.Silo;
using Xunit;

namespace RaftOrleans.Tests.Integration;

/// <summary>Session expiry end to end: the leader stamps, the replicas expire, the console's session starts over.</summary>
public sealed class SessionExpiryTests : RaftClusterTest
{
    public override Task InitializeAsync() => StartCluster<SessionExpirySiloConfigurator>();

    [Fact]
    public async Task An_idle_session_expires_and_the_console_session_starts_a_new_one_without_applying_twice()
    {
        // Settings with raft.toml's default hour-long lifetime, not this cluster's two seconds: the session does not
        // renew itself in time, so it meets the expiry, which is what this test is about.
        var session = new KvSession(new GatewayRoute(Cluster.GrainFactory, ConfiguredClientSettings.From(RaftConfig.Default)));
        Assert.True((await session.PutAsync("a", "1")).Succeeded);
        var expired = session.ClientId;

        // Expiry is about time: let more than a lifetime pass, then any write brings a sweep.
        var idle = Stopwatch.StartNew();
        await WaitFor(() => Task.FromResult(idle.Elapsed > SessionExpirySiloConfigurator.Options.SessionLifetime * 1.5 ? "" : null),
            "a session lifetime and a half to pass");
        AssertOk(await new Client(Gateway).Put("tick", "sweeps"));

        // The old session's next write is refused, not applied...
        var refused = await Gateway.Put(expired, 2, "b", "by the expired session");
        Assert.Equal(KvStatus.SessionExpired, refused.Status);
        Assert.Equal(KvStatus.NotFound, (await new Client(Gateway).Get("b")).Status);

        // ...and the console's session, meeting it at a first send, takes a new id and sends again: stored once.
        var outcome = await session.PutAsync("c", "3");
        Assert.True(outcome.Succeeded, outcome.Result.ToString());
        Assert.NotEqual(expired, session.ClientId);
        AssertOk(await new Client(Gateway).Get("c"), "3");
        Assert.Equal(KvStatus.KeyExists, (await session.PutAsync("c", "again")).Result.Status);
    }

    [Fact]
    public async Task A_session_idle_for_half_a_lifetime_renews_itself_before_its_next_write_and_never_meets_expiry()
    {
        // The library's way: the lifetime comes from the cluster, not from a configuration file.
        var session = new KvSession(new GatewayRoute(Cluster.Client, await Gateway.GetClientSettings()));
        Assert.True((await session.PutAsync("a", "1")).Succeeded);
        var first = session.ClientId;

        var idle = Stopwatch.StartNew();
        await WaitFor(() => Task.FromResult(idle.Elapsed > SessionExpirySiloConfigurator.Options.SessionLifetime * 1.5 ? "" : null),
            "a session lifetime and a half to pass");
        AssertOk(await new Client(Gateway).Put("tick", "sweeps")); // the old session is gone from the state machine now

        // Renewed before it was sent, the write goes out once under a new id: no SessionExpired, no second send.
        var outcome = await session.PutAsync("b", "2");
        Assert.True(outcome.Succeeded, outcome.Result.ToString());
        Assert.Equal(0, outcome.Resends);
        Assert.NotEqual(first, session.ClientId);
    }
}
