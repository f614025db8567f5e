using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using RaftOrleans.KeyValue;
using RaftOrleans.Kv;
using RaftOrleans.Tests.Integration;
using Xunit;

namespace RaftOrleans.Tests.Library;

/// <summary>
/// The client library against a five-node TestCluster, through the test's external Orleans client as an application
/// would use it: the store learns the cluster's settings from a gateway, answers with typed results, and resends a
/// request under one id until its deadline, so a write is applied once however often it travels.
/// </summary>
public sealed class KeyValueStoreTests : RaftClusterTest
{
    private IKeyValueStore Store(KeyValueClientOptions? options = null) => Cluster.Client.AsKeyValueStore(options);

    [Fact]
    public async Task Every_operation_answers_with_its_typed_result()
    {
        var store = Store();
        Assert.Equal(PutResult.Stored, await store.PutAsync("k", "v1"));
        Assert.Equal(PutResult.KeyExists, await store.PutAsync("k", "v2"));
        Assert.Equal(GetResult.Found("v1"), await store.GetAsync("k"));
        Assert.Equal(GetResult.NotFound, await store.GetAsync("missing"));
        Assert.Equal(DeleteResult.Deleted, await store.DeleteAsync("k"));
        Assert.Equal(DeleteResult.NotFound, await store.DeleteAsync("k"));
        Assert.False((await store.GetAsync("k")).IsFound);
        Assert.Equal(PutResult.Stored, await store.PutAsync("k", "")); // an empty value is a value
        Assert.Equal("", (await store.GetAsync("k")).Value);
    }

    [Fact]
    public async Task Dependency_injection_gives_a_store_over_the_applications_orleans_client()
    {
        var services = new ServiceCollection();
        services.AddSingleton(Cluster.Client);
        services.AddRaftKeyValueClient(options => options.Deadline = TimeSpan.FromSeconds(20));
        await using var provider = services.BuildServiceProvider();
        var store = provider.GetRequiredService<IKeyValueStore>();
        Assert.Same(store, provider.GetRequiredService<IKeyValueStore>());
        Assert.Equal(PutResult.Stored, await store.PutAsync("di", "yes"));
        Assert.Equal("yes", (await Store().GetAsync("di")).Value);
    }

    [Fact]
    public async Task A_silo_tells_clients_the_settings_its_configuration_gives()
    {
        var settings = await Cluster.Client.GetGrain<IKvGatewayGrain>(7).GetClientSettings();
        Assert.True(settings.SameAs(TestSiloConfigurator.Options.ClientSettings), settings.ToString());
        Assert.Equal(TimeSpan.FromSeconds(2), settings.RequestTimeout);
        Assert.Null(settings.AttemptTimeout); // embedded: one gateway, attempts wait its deadline
    }

    [Fact]
    public async Task Bad_requests_are_rejected_with_the_reason_and_bad_arguments_throw()
    {
        var store = Store();
        var tooLong = await Assert.ThrowsAsync<KeyValueRequestRejectedException>(() => store.PutAsync(new string('k', 5000), "v"));
        Assert.Contains("key", tooLong.Reason);
        var empty = await Assert.ThrowsAsync<KeyValueRequestRejectedException>(() => store.GetAsync(""));
        Assert.False(string.IsNullOrWhiteSpace(empty.Reason));
        var unknown = await Assert.ThrowsAsync<KeyValueRequestRejectedException>(() => store.InGroup("nope").PutAsync("k", "v"));
        Assert.Contains("there is no group 'nope'", unknown.Reason);
        Assert.Contains(Group, unknown.Reason); // it lists the groups there are
        await Assert.ThrowsAsync<ArgumentNullException>(() => store.PutAsync(null!, "v"));
        await Assert.ThrowsAsync<ArgumentNullException>(() => store.PutAsync("k", null!));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.GetAsync("k", deadline: TimeSpan.Zero));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.GetAsync("k", deadline: TimeSpan.MaxValue));
        Assert.Throws<ArgumentOutOfRangeException>(() => Cluster.Client.AsKeyValueStore(new KeyValueClientOptions { Deadline = TimeSpan.FromDays(2) }));
        Assert.Equal(PutResult.Stored, await store.InGroup(Group).PutAsync("named", "ok"));
        Assert.Equal("ok", (await store.GetAsync("named")).Value); // one group: a key's own group is the named one
    }

    [Fact]
    public async Task Many_concurrent_operations_on_one_store_are_each_applied_once()
    {
        var store = Store();
        var keys = Enumerable.Range(0, 300).Select(i => $"c-{i}").ToArray();
        var puts = await Task.WhenAll(keys.Select(key => Task.Run(() => store.PutAsync(key, key))));
        Assert.All(puts, put => Assert.Equal(PutResult.Stored, put));

        // Forty racers for one key: put-if-absent lets exactly one win, whatever sessions they borrowed.
        var race = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(() => store.PutAsync("contested", $"{i}"))));
        Assert.Single(race, put => put == PutResult.Stored);

        var reads = await Task.WhenAll(keys.Select(key => Task.Run(() => store.GetAsync(key))));
        Assert.Equal(keys, reads.Select(read => read.Value));
        var deletes = await Task.WhenAll(keys.Select(key => Task.Run(() => store.DeleteAsync(key))));
        Assert.All(deletes, delete => Assert.Equal(DeleteResult.Deleted, delete));
    }

    [Fact]
    public async Task A_put_resent_across_a_leader_crash_is_applied_once()
    {
        var store = Store();
        Assert.Equal(PutResult.Stored, await store.PutAsync("warm", "up")); // the store knows the cluster now
        var leader = await WaitForStableLeader();
        var followers = NodeIds.Where(id => id != leader.NodeId).ToArray();
        // The leader and one follower are left: the leader appends the put but cannot commit it.
        foreach (var id in followers.Skip(1)) await Node(id).Crash();

        var clock = Stopwatch.StartNew();
        var put = store.PutAsync("survivor", "once", deadline: TimeSpan.FromSeconds(60));
        await WaitFor(async () =>
        {
            var status = await Node(leader.NodeId).GetStatus();
            return status.LastLogIndex > status.CommitIndex ? status : null;
        }, "the put in the leader's log, uncommitted");
        await Node(leader.NodeId).Crash();
        // The gateway answers Unavailable at its deadline; only the library's resend (same id) can carry the put on.
        await WaitFor(() => Task.FromResult(clock.Elapsed > TestSiloConfigurator.Options.RequestTimeout * 1.5 ? "" : null),
            "the gateway's deadline to pass");
        Assert.False(put.IsCompleted, $"the put ended before the cluster could commit it ({put.Status})");

        foreach (var id in NodeIds) await Node(id).Restart();
        // Applied twice, the resend would find the key and answer KeyExists.
        Assert.Equal(PutResult.Stored, await put);
        Assert.True(clock.Elapsed > TestSiloConfigurator.Options.RequestTimeout, "the put was answered within one gateway deadline: nothing was resent");
        Assert.Equal("once", (await store.GetAsync("survivor")).Value);
        var healed = await WaitForStableLeader();
        await WaitForConvergence(atLeast: healed.CommitIndex);
    }

    [Fact]
    public async Task Without_a_majority_a_call_ends_at_its_deadline_or_its_cancellation()
    {
        var store = Store();
        Assert.Equal(PutResult.Stored, await store.PutAsync("warm", "up"));
        foreach (var id in NodeIds.Take(3)) await Node(id).Crash();

        var clock = Stopwatch.StartNew();
        var unavailable = await Assert.ThrowsAsync<KeyValueUnavailableException>(() => store.PutAsync("late", "v", deadline: TimeSpan.FromMilliseconds(700)));
        Assert.True(clock.Elapsed < TestSiloConfigurator.Options.RequestTimeout, $"a 0.7 s deadline took {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(unavailable.MayHaveTakenEffect);
        Assert.Contains("put 'late': store unavailable", unavailable.Message);

        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        clock.Restart();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.GetAsync("warm", cancellationToken: cancel.Token));
        Assert.True(clock.Elapsed < TestSiloConfigurator.Options.RequestTimeout, $"a cancellation after 0.3 s took {clock.Elapsed.TotalSeconds:F1} s");

        foreach (var id in NodeIds.Take(3)) await Node(id).Restart();
        Assert.Equal("up", (await store.GetAsync("warm", deadline: Generous)).Value);
    }
}
