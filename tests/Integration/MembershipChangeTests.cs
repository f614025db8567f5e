using RaftOrleans.Raft;
using RaftOrleans.Status;
using Xunit;

namespace RaftOrleans.Tests.Integration;

/// <summary>
/// Membership changes through the node grain, as `client member` uses them, on the embedded silo (which hosts a node
/// added later too): replace a dead node by a new one that catches up as a learner first, remove the leader itself,
/// and refuse bad changes with a reason.
/// </summary>
public sealed class MembershipChangeTests : RaftClusterTest
{
    private readonly List<int> _members = [.. TestSiloConfigurator.Options.NodeIds];

    /// <summary>The nodes the waits look at: the members in force (a removed node follows nobody any more).</summary>
    protected override IReadOnlyList<int> NodeIds => _members;

    [Fact]
    public async Task A_dead_node_is_replaced_by_a_new_one_that_catches_up_as_a_learner_first()
    {
        var client = new Client(Gateway);
        for (var i = 0; i < 20; i++) AssertOk(await client.Put($"before-{i}", $"{i}"));
        var leader = await WaitForLeaderThatMayChange();
        var dead = _members.First(id => id != leader.NodeId);
        await Node(dead).Crash();
        _members.Remove(dead);
        var newcomer = _members.Max() + 1;

        var added = await Change(leader.NodeId, MembershipChangeKind.AddLearner, newcomer);
        _members.Add(newcomer);
        var caughtUp = await WaitForConvergence(added.Index);
        Assert.All(caughtUp, s => Assert.Equal([newcomer], s.Learners));
        var learner = caughtUp.Single(s => s.NodeId == newcomer);
        Assert.Equal(20, learner.KeyCount); // every key written before it joined

        await Change(leader.NodeId, MembershipChangeKind.Promote, newcomer);
        var removed = await Change(leader.NodeId, MembershipChangeKind.Remove, dead);

        Assert.Equal(_members.Order().ToArray(), removed.Config!.Voters);
        Assert.Empty(removed.Config.Learners);
        AssertOk(await client.Put("after", "1"));
        var final = await WaitForConvergence(removed.Index + 1);
        Assert.All(final, s => Assert.Equal(_members.Order().ToArray(), s.Voters));
        AssertOk(await client.Get("before-7"), "7");
    }

    [Fact]
    public async Task The_leader_removes_itself_steps_down_once_committed_and_another_leads()
    {
        var client = new Client(Gateway);
        AssertOk(await client.Put("before", "1"));
        var leader = await WaitForLeaderThatMayChange();

        var removed = await Change(leader.NodeId, MembershipChangeKind.Remove, leader.NodeId);
        _members.Remove(leader.NodeId);

        var next = await WaitForStableLeader("another member to lead");
        Assert.NotEqual(leader.NodeId, next.NodeId);
        Assert.False(next.IsMember(leader.NodeId));
        var old = await Node(leader.NodeId).GetStatus();
        Assert.NotEqual("Leader", old.Role);
        AssertOk(await client.Put("after", "2"));
        AssertOk(await client.Get("before"), "1");
        await WaitForConvergence(removed.Index + 1);
    }

    [Fact]
    public async Task Bad_changes_are_refused_with_a_reason_and_change_nothing()
    {
        var leader = await WaitForLeaderThatMayChange();
        var follower = _members.First(id => id != leader.NodeId);
        var voters = string.Join(",", _members);

        Assert.Equal($"node {follower} is a voter already", await Refusal(leader.NodeId, MembershipChangeKind.AddLearner, follower));
        Assert.Equal("node 9 is not a learner: add it first (member add 9)", await Refusal(leader.NodeId, MembershipChangeKind.Promote, 9));
        Assert.Equal($"node 9 is not a member (voters {voters})", await Refusal(leader.NodeId, MembershipChangeKind.Remove, 9));
        var notLeader = await Node(follower).ChangeMembership(new MembershipChange(MembershipChangeKind.AddLearner, 9));
        Assert.Equal((MembershipStatus.NotLeader, (int?)leader.NodeId), (notLeader.Status, notLeader.LeaderHint));

        // A learner cannot be handed the leadership.
        await Change(leader.NodeId, MembershipChangeKind.AddLearner, 9);
        Assert.Equal($"node 9 is not a voter (voters {voters}; learners 9); only a voter can lead",
            (await Node(leader.NodeId).TransferLeadership(9)).Refusal);

        var after = await Node(leader.NodeId).GetStatus();
        Assert.Equal((leader.Term, "Leader"), (after.Term, after.Role));
        Assert.Equal(_members.ToArray(), after.Voters);
        Assert.Equal([9], after.Learners);
    }

    private async Task<MembershipResult> Change(int leader, MembershipChangeKind kind, int node)
    {
        var result = await Node(leader).ChangeMembership(new MembershipChange(kind, node));
        Assert.True(result.Status == MembershipStatus.Committed, $"{kind} {node}: {result.Status} {result.Reason}");
        return result;
    }

    private async Task<string?> Refusal(int leader, MembershipChangeKind kind, int node)
    {
        var result = await Node(leader).ChangeMembership(new MembershipChange(kind, node));
        Assert.Equal(MembershipStatus.Refused, result.Status);
        return result.Reason;
    }
}
