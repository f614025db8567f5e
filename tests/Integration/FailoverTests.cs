using RaftOrleans.Kv;
using Xunit;

namespace RaftOrleans.Tests.Integration;

public sealed class FailoverTests : RaftClusterTest
{
    [Fact]
    public async Task A_crashed_leader_is_replaced_and_no_acknowledged_write_is_lost()
    {
        var client = new Client(Gateway);
        for (var i = 0; i < 20; i++) AssertOk(await client.Put($"before-{i}", $"{i}"));
        var old = await WaitForStableLeader();

        await Node(old.NodeId).Crash();
        var successor = await WaitForStableLeader("a new leader after the crash");

        Assert.NotEqual(old.NodeId, successor.NodeId);
        Assert.True(successor.Term > old.Term);
        AssertOk(await client.Put("after", "x"));
        for (var i = 0; i < 20; i++) AssertOk(await client.Get($"before-{i}"), $"{i}");

        // The old leader comes back from its storage and catches up with what it missed.
        await Node(old.NodeId).Restart();
        var leader = await WaitForStableLeader();
        await WaitForConvergence(atLeast: leader.CommitIndex);
    }

    [Fact]
    public async Task Five_nodes_serve_with_two_down_and_refuse_cleanly_with_three_down()
    {
        var client = new Client(Gateway);
        var leader = await WaitForStableLeader();
        var followers = NodeIds.Where(id => id != leader.NodeId).ToArray();

        await Node(leader.NodeId).Crash();
        await Node(followers[0]).Crash();
        AssertOk(await client.Put("with-two-down", "ok"));
        AssertOk(await client.Get("with-two-down"), "ok");

        await Node(followers[1]).Crash();
        // Two nodes out of five: any leader among them steps down (check-quorum) and none can be elected.
        await WaitFor(async () => (await StatusAll()).All(s => s.Crashed || s.Role != "Leader") ? "" : null,
            "the survivors to have no leader");

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var refused = await client.PutOnce("with-three-down", "must-not-appear");
        Assert.Equal(KvStatus.Unavailable, refused.Status);
        Assert.True(clock.Elapsed < TestSiloConfigurator.Options.RequestTimeout + TimeSpan.FromSeconds(5),
            $"Unavailable took {clock.Elapsed.TotalSeconds:F1} s, the deadline is {TestSiloConfigurator.Options.RequestTimeout.TotalSeconds} s");

        foreach (var id in NodeIds) await Node(id).Restart();
        var healed = await WaitForStableLeader("a leader once all nodes are back");
        await WaitForConvergence(atLeast: healed.CommitIndex);

        // The refused write was never committed, so it cannot take effect later by surprise.
        Assert.Equal(KvStatus.NotFound, (await new Client(Gateway).Get("with-three-down")).Status);
        AssertOk(await new Client(Gateway).Get("with-two-down"), "ok");
    }
}
