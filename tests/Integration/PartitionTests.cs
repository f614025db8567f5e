using RaftOrleans.Raft;
using RaftOrleans.Kv;
using Xunit;

namespace RaftOrleans.Tests.Integration;

/// <summary>The partition hook the fault suite uses: a real loss of messages (off unless configured: SecurityTests).</summary>
public sealed class PartitionTests : RaftClusterTest
{
    [Fact]
    public async Task A_leader_cut_off_from_the_majority_is_replaced_and_rejoins_when_healed()
    {
        var client = new Client(Gateway);
        AssertOk(await client.Put("before", "1"));
        var old = await WaitForStableLeader();
        var others = NodeIds.Where(id => id != old.NodeId).ToArray();

        await Node(old.NodeId).CutOff(others);
        foreach (var id in others) await Node(id).CutOff([old.NodeId]);

        // The majority elects a leader of its own; the old one hears nothing, so check-quorum makes it step down.
        var successor = await WaitFor(async () =>
        {
            var all = await StatusAll();
            var majorityLeader = all.FirstOrDefault(s => s.Role == "Leader" && s.NodeId != old.NodeId);
            var oldNow = all.Single(s => s.NodeId == old.NodeId);
            return majorityLeader is not null && oldNow.Role != "Leader" ? majorityLeader : null;
        }, "a leader in the majority and the cut-off leader stepped down");
        Assert.True(successor.Term > old.Term);
        AssertOk(await client.Put("during", "2"));

        foreach (var id in NodeIds) await Node(id).CutOff([]);
        var healed = await WaitForStableLeader("every node following one leader after the heal");
        await WaitForConvergence(atLeast: healed.CommitIndex);
        AssertOk(await client.Get("during"), "2");
    }

    [Fact]
    public async Task Cutting_a_node_off_from_itself_or_a_node_id_no_cluster_can_have_is_refused()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => Node(1).CutOff([1]));
        Assert.Contains("cannot be cut off from node 1", error.Message);
        await Assert.ThrowsAsync<ArgumentException>(() => Node(1).CutOff([ClusterConfig.MaxNodeId + 1]));
    }
}
