using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using RaftOrleans.Status;
using Xunit;

namespace RaftOrleans.Tests.Integration;

/// <summary>
/// An idle group quiesces in a running silo (no heartbeats; the silo's one beat stands in), and still fails over when
/// its quiesced leader crashes: the silo tells the quiesced followers their leader fell silent.
/// </summary>
public sealed class QuiescenceTests : RaftClusterTest
{
    private async Task<NodeStatus[]> WaitForQuiescence(string what) =>
        await WaitFor(async () =>
        {
            var all = await StatusAll();
            return all.Where(s => !s.Crashed).All(s => s.Quiesced) ? all : null;
        }, what);

    [Fact]
    public async Task An_idle_group_quiesces_wakes_for_a_write_and_fails_over_when_its_quiesced_leader_crashes()
    {
        var client = new Client(Gateway);
        AssertOk(await client.Put("before", "1"));
        var leader = await WaitForStableLeader();
        await WaitForQuiescence("every node quiesced once the group is idle");
        // Nothing on the silo runs a Raft timer now: its clock beats once per heartbeat interval, not every tick.
        var clock = Cluster.Silos.OfType<InProcessSiloHandle>().Single().SiloHost.Services.GetRequiredService<SiloClock>();
        var options = Cluster.Silos.OfType<InProcessSiloHandle>().Single().SiloHost.Services.GetRequiredService<RaftClusterOptions>();
        await WaitFor(() => Task.FromResult(clock.Interval == options.HeartbeatInterval ? "" : null),
            $"the silo clock at the relaxed pace ({options.HeartbeatInterval.TotalMilliseconds} ms) while every node is quiesced");

        // A write wakes the group and commits; then it quiesces again.
        AssertOk(await client.Put("while-quiet", "2"));
        await WaitForQuiescence("every node quiesced again after the write");

        await Node(leader.NodeId).Crash();
        var successor = await WaitForStableLeader("a new leader after the quiesced leader crashed");
        Assert.NotEqual(leader.NodeId, successor.NodeId);
        Assert.True(successor.Term > leader.Term);
        AssertOk(await client.Get("while-quiet"), "2");
        AssertOk(await client.Put("after", "3"));

        await Node(leader.NodeId).Restart();
        var healed = await WaitForStableLeader();
        await WaitForConvergence(atLeast: healed.CommitIndex);
        await WaitForQuiescence("every node, the restarted one too, quiesced under the new leader");
    }
}
