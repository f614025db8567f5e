using RaftOrleans.Kv;
using Xunit;

namespace RaftOrleans.Tests.Integration;

/// <summary>Leadership transfer through the node grain, as `client transfer-leader` uses it.</summary>
public sealed class TransferLeadershipTests : RaftClusterTest
{
    [Fact]
    public async Task Leadership_moves_to_the_chosen_node_and_writes_go_on()
    {
        var client = new Client(Gateway);
        AssertOk(await client.Put("before", "1"));
        var old = await WaitForStableLeader();
        var target = NodeIds.First(id => id != old.NodeId);

        var result = await Node(old.NodeId).TransferLeadership(target);

        Assert.True(result.Started, result.Refusal);
        var successor = await WaitForStableLeader($"node {target} to lead");
        Assert.Equal(target, successor.NodeId);
        Assert.Equal(old.Term + 1, successor.Term);
        AssertOk(await client.Put("after", "2"));
        AssertOk(await client.Get("before"), "1");
    }

    [Fact]
    public async Task Bad_transfers_are_refused_and_change_nothing()
    {
        var leader = await WaitForStableLeader();
        var follower = NodeIds.First(id => id != leader.NodeId);

        Assert.Equal($"node {leader.NodeId} already leads", (await Node(leader.NodeId).TransferLeadership(leader.NodeId)).Refusal);
        Assert.Contains("does not lead", (await Node(follower).TransferLeadership(leader.NodeId)).Refusal);
        await Node(follower).Crash();
        await WaitFor(async () => (await Node(leader.NodeId).GetStatus()).Followers
            .Single(f => f.NodeId == follower).SinceLastContactMs > 300 ? "" : null, $"the leader to notice node {follower} is down");
        Assert.StartsWith($"node {follower} has not answered", (await Node(leader.NodeId).TransferLeadership(follower)).Refusal);

        var after = await WaitForStableLeader();
        Assert.Equal((leader.NodeId, leader.Term), (after.NodeId, after.Term));
        Assert.Equal(KvStatus.Ok, (await new Client(Gateway).Put("still", "leads")).Status);
    }
}
