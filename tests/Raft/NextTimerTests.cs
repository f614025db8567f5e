using RaftOrleans.Raft;
using Xunit;

namespace RaftOrleans.Tests.Raft;

/// <summary>
/// <see cref="RaftNode.UntilNextTimer"/>, which lets a host sleep until its core has work: a tick just short of it does
/// nothing but move the clock, a tick of it does the work (a follower campaigns, a leader sends its heartbeats).
/// </summary>
public class NextTimerTests
{
    private static readonly TimeSpan Tiny = TimeSpan.FromTicks(1);

    [Fact]
    public void A_follower_is_due_when_its_election_timeout_ends_and_a_heartbeat_pushes_that_back()
    {
        for (var seed = 0; seed < 50; seed++)
        {
            var node = Nodes.New(1, 3, new HardState(1, null), seed: seed);
            var due = node.UntilNextTimer;
            Assert.InRange(due, Nodes.ElectionMin, Nodes.ElectionMax);

            node.Tick(due / 2);
            Assert.Equal(due - due / 2, node.UntilNextTimer);
            node.Step(Nodes.Append(2, 1, term: 1, prevIndex: 0, prevTerm: 0)); // a leader is heard: the timeout starts over
            node.TakeReadyCarriedOut();
            var pushedBack = node.UntilNextTimer;
            Assert.InRange(pushedBack, Nodes.ElectionMin, Nodes.ElectionMax);

            node.Tick(pushedBack - Tiny);
            Assert.Equal(Role.Follower, node.Role);
            Assert.True(node.TakeReadyCarriedOut().IsEmpty);
            node.Tick(Tiny);
            Assert.NotEqual(Role.Follower, node.Role); // campaigning, exactly when it said
        }
    }

    [Fact]
    public void A_leader_is_due_at_each_heartbeat_and_sends_nothing_before()
    {
        // With the shipped timers every due time of an idle leader is a heartbeat: the check-quorum round (the minimum
        // election timeout) falls on one. (Otherwise some due times would be quorum checks, which send nothing.)
        Assert.Equal(0, Nodes.ElectionMin.Ticks % Nodes.Heartbeat.Ticks);
        var leader = Nodes.New(1, 3, new HardState(1, null));
        var followers = new[] { Nodes.New(2, 3, new HardState(1, null)), Nodes.New(3, 3, new HardState(1, null)) };
        Nodes.Exchange(leader, Nodes.Elect(leader, 2, 3), followers);
        Nodes.Exchange(leader, leader.TakeReadyCarriedOut(), followers);
        for (var beat = 0; beat < 20; beat++)
        {
            var due = leader.UntilNextTimer;
            Assert.InRange(due, TimeSpan.Zero, Nodes.Heartbeat);
            leader.Tick(due - Tiny);
            Assert.Empty(leader.TakeReadyCarriedOut().Sent<AppendEntries>());
            leader.Tick(Tiny);
            var ready = leader.TakeReadyCarriedOut();
            Assert.Equal(Role.Leader, leader.Role);
            Assert.Equal(new[] { 2, 3 }, ready.Sent<AppendEntries>().Select(a => a.To).Order());
            Nodes.Exchange(leader, ready, followers);
            foreach (var follower in followers) Nodes.Exchange(follower, follower.TakeReadyCarriedOut(), leader);
        }
    }

    [Fact]
    public void A_learner_never_campaigns_so_it_is_never_due()
    {
        var learner = Nodes.New(4, 3, new HardState(1, null)); // node 4 is not among the members 1..3
        Assert.Equal(TimeSpan.MaxValue, learner.UntilNextTimer);
    }
}
