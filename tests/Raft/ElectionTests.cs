using RaftOrleans.Raft;
using Xunit;

namespace RaftOrleans.Tests.Raft;

/// <summary>Section 5.2: a follower that hears nothing campaigns, and a majority of votes makes a leader.</summary>
public class ElectionTests
{
    [Fact]
    public void FollowerWhoseTimeoutPassesCampaignsInNextTermAndAsksEveryPeer()
    {
        var node = Nodes.New(1, 3, new HardState(4, null), Nodes.Log(1, 3));

        Nodes.TickUntilCandidate(node);
        var ready = node.TakeReadyCarriedOut();

        Assert.Equal(Role.Candidate, node.Role);
        Assert.Equal(5, node.Term);
        Assert.Equal(1, node.VotedFor);
        Assert.Null(node.LeaderId);
        Assert.Equal(new HardState(5, 1), ready.HardState);
        var asks = ready.Sent<RequestVote>().OrderBy(m => m.To).ToArray();
        Assert.Equal(new[] { 2, 3 }, asks.Select(m => m.To));
        Assert.All(asks, m =>
        {
            Assert.Equal(1, m.From);
            Assert.Equal(5, m.Term);
            Assert.Equal(2, m.LastLogIndex);
            Assert.Equal(3, m.LastLogTerm);
        });
    }

    [Fact]
    public void FollowerDoesNotCampaignBeforeTheMinimumTimeout()
    {
        var node = Nodes.New(1, 3);

        for (var t = TimeSpan.Zero; t < Nodes.ElectionMin - Nodes.Step; t += Nodes.Step) node.Tick(Nodes.Step);

        Assert.Equal(Role.Follower, node.Role);
        Assert.Equal(0, node.Term);
        Assert.True(node.TakeReadyCarriedOut().IsEmpty);
    }

    [Fact]
    public void ElectionTimeoutsAreRandomizedWithinMinAndMax()
    {
        var firstTimeouts = new List<TimeSpan>();
        var retryTimeouts = new List<TimeSpan>();
        for (var seed = 0; seed < 100; seed++)
        {
            var node = Nodes.New(1, 3, seed: seed);
            firstTimeouts.Add(Nodes.TickUntilCandidate(node));

            // A candidate that wins nothing campaigns again after a fresh random timeout.
            var waited = TimeSpan.Zero;
            while (node.Term == 1)
            {
                node.Tick(Nodes.Step);
                waited += Nodes.Step;
            }
            retryTimeouts.Add(waited);
        }

        Assert.All(firstTimeouts.Concat(retryTimeouts), t => Assert.InRange(t, Nodes.ElectionMin, Nodes.ElectionMax));
        // Spread out rather than all equal: equal timeouts would make split votes repeat forever.
        Assert.True(firstTimeouts.Distinct().Count() >= 30, $"only {firstTimeouts.Distinct().Count()} distinct timeouts");
        Assert.True(retryTimeouts.Distinct().Count() >= 30, $"only {retryTimeouts.Distinct().Count()} distinct timeouts");
    }

    [Fact]
    public void HeartbeatsFromTheLeaderKeepAFollowerFromCampaigning()
    {
        var node = Nodes.New(1, 3, new HardState(1, null));
        var almost = Nodes.ElectionMin - TimeSpan.FromMilliseconds(10);

        for (var round = 0; round < 10; round++)
        {
            for (var t = TimeSpan.Zero; t < almost; t += Nodes.Step) node.Tick(Nodes.Step);
            node.Step(Nodes.Append(2, 1, 1, 0, 0));
        }

        Assert.Equal(Role.Follower, node.Role);
        Assert.Equal(1, node.Term);
        Assert.Equal(2, node.LeaderId);
    }

    [Fact]
    public void MajorityMakesTheCandidateLeaderWhichAppendsANoOpOfItsTermAndSendsAppendEntries()
    {
        var node = Nodes.New(1, 3, new HardState(1, null), Nodes.Log(1, 1));
        Nodes.TickUntilCandidate(node);
        node.TakeReadyCarriedOut();

        node.Step(Nodes.Grant(2, 1, 2));
        var ready = node.TakeReadyCarriedOut();

        Assert.Equal(Role.Leader, node.Role);
        Assert.Equal(1, node.LeaderId);
        Assert.Equal(2, node.Term);
        var noOp = Assert.Single(ready.EntriesToPersist);
        Assert.Equal(3, noOp.Index);
        Assert.Equal(2, noOp.Term);
        Assert.True(noOp.IsNoOp);
        var appends = ready.Sent<AppendEntries>().OrderBy(m => m.To).ToArray();
        Assert.Equal(new[] { 2, 3 }, appends.Select(m => m.To));
        Assert.All(appends, m =>
        {
            Assert.Equal(2, m.Term);
            Assert.Equal(2, m.PrevLogIndex);
            Assert.Equal(1, m.PrevLogTerm);
            var sent = Assert.Single(m.Entries);
            Assert.Equal((3L, 2L), (sent.Index, sent.Term));
        });
    }

    [Fact]
    public void CandidateCountsEachVoterOnceAndIgnoresRefusals()
    {
        var node = Nodes.New(1, 5);
        Nodes.TickUntilCandidate(node);

        node.Step(Nodes.Grant(2, 1, 1));
        node.Step(Nodes.Grant(2, 1, 1)); // a duplicated reply is still one vote
        node.Step(Nodes.Deny(3, 1, 1));
        node.Step(Nodes.Deny(4, 1, 1));
        Assert.Equal(Role.Candidate, node.Role);

        node.Step(Nodes.Grant(5, 1, 1));
        Assert.Equal(Role.Leader, node.Role);
    }

    [Fact]
    public void VotesFromAnEarlierCampaignDoNotCountInTheNextOne()
    {
        var node = Nodes.New(1, 5);
        Nodes.TickUntilCandidate(node);
        node.Step(Nodes.Grant(2, 1, 1));
        Nodes.TickUntilCandidateOfTerm(node, 2);

        node.Step(Nodes.Grant(2, 1, 1)); // late, from term 1
        node.Step(Nodes.Grant(3, 1, 2));
        Assert.Equal(Role.Candidate, node.Role);

        node.Step(Nodes.Grant(4, 1, 2));
        Assert.Equal(Role.Leader, node.Role);
        Assert.Equal(2, node.Term);
    }

    [Fact]
    public void SingleNodeElectsItselfAndCommitsItsNoOp()
    {
        var node = Nodes.New(1, 1, new HardState(3, null));

        Nodes.TickUntilCandidate(node);
        var ready = node.TakeReadyCarriedOut(); // the no-op is durable once this batch is carried out

        Assert.Equal(Role.Leader, node.Role);
        Assert.Equal(4, node.Term);
        Assert.Equal(new HardState(4, 1), ready.HardState);
        Assert.Empty(ready.Messages);
        Assert.Empty(ready.CommittedEntries); // not before its own write of the no-op is
        var committed = Assert.Single(node.TakeReady().CommittedEntries);
        Assert.Equal((1L, 4L, true), (committed.Index, committed.Term, committed.IsNoOp));
    }

    [Fact]
    public void SplitVoteEndsWithOneLeaderInALaterTerm()
    {
        // Node 3 is down, so nodes 1 and 2 need each other. Both time out before hearing from the other.
        var wire = new Wire(Nodes.New(1, 3, seed: 11), Nodes.New(2, 3, seed: 22), Nodes.New(3, 3, seed: 33));
        wire.Cut.Add(3);
        Nodes.TickUntilCandidate(wire[1]);
        Nodes.TickUntilCandidate(wire[2]);
        wire.DeliverAll();

        Assert.Equal((Role.Candidate, 1L), (wire[1].Role, wire[1].Term));
        Assert.Equal((Role.Candidate, 1L), (wire[2].Role, wire[2].Term));
        Assert.Empty(wire.LeadersByTerm);

        var leader = wire.RunUntilLeader(TimeSpan.FromSeconds(5));
        wire.DeliverAll();

        Assert.True(leader.Term >= 2);
        var other = wire[leader.Id == 1 ? 2 : 1];
        Assert.Equal(Role.Follower, other.Role);
        Assert.Equal(leader.Term, other.Term);
        Assert.Equal(leader.Id, other.LeaderId);
        Assert.All(wire.LeadersByTerm.Values, leaders => Assert.Single(leaders));
    }
}
