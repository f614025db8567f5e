using RaftOrleans.Raft;
using Xunit;

namespace RaftOrleans.Tests.Raft;

/// <summary>
/// Leadership transfer (thesis 3.10): the leader stops taking proposals, brings the target up to date, tells it
/// to campaign (TimeoutNow), and gives up after an election timeout. Bad requests change nothing.
/// </summary>
public class TransferTests
{
    [Fact]
    public void AnUpToDateTargetIsToldToCampaignAtOnceAndProposalsWait()
    {
        var leader = LeaderOfThree(out _);
        leader.Step(Nodes.Acked(2, 1, leader.Term, leader.LastLogIndex));

        var result = leader.TransferLeadership(2);

        Assert.Equal(TransferResult.Begun(2), result);
        Assert.Equal(2, leader.TransferTarget);
        Assert.Single(leader.TakeReady().Sent<TimeoutNow>(), m => m.To == 2 && m.Term == leader.Term);
        Assert.Equal(ProposeResult.NotLeader(2), leader.Propose([1]));
    }

    [Fact]
    public void ALaggingTargetIsBroughtUpToDateFirst()
    {
        var leader = LeaderOfThree(out _);
        leader.Propose([7]);
        leader.TakeReadyCarriedOut();

        leader.TransferLeadership(3);
        Assert.Empty(leader.TakeReady().Sent<TimeoutNow>());

        leader.Step(Nodes.Acked(3, 1, leader.Term, leader.LastLogIndex));
        Assert.Single(leader.TakeReady().Sent<TimeoutNow>(), m => m.To == 3);
    }

    [Fact]
    public void TheTargetWinsTheNextTermAndTheOldLeaderFollows()
    {
        var wire = new Wire(Nodes.New(1, 3, seed: 1), Nodes.New(2, 3, seed: 2), Nodes.New(3, 3, seed: 3));
        var leader = wire.RunUntilLeader(TimeSpan.FromSeconds(5));
        wire.RunFor(Nodes.Heartbeat * 2);
        var target = wire.All.Keys.First(id => id != leader.Id);
        var term = leader.Term;

        Assert.True(leader.TransferLeadership(target).Started);
        wire.DeliverAll();

        Assert.Equal((Role.Leader, term + 1), (wire[target].Role, wire[target].Term));
        Assert.Equal((Role.Follower, (int?)target), (leader.Role, leader.LeaderId));
        Assert.Null(leader.TransferTarget);
        Assert.All(wire.LeadersByTerm.Values, leaders => Assert.Single(leaders));
    }

    [Fact]
    public void ATransferThatDoesNotCompleteInAnElectionTimeoutIsAbandoned()
    {
        var leader = LeaderOfThree(out _);
        leader.TransferLeadership(2); // node 2 never answers: it cannot catch up
        var waited = TimeSpan.Zero;
        while (leader.TransferTarget is not null && waited < Nodes.ElectionMax * 2)
        {
            leader.Tick(Nodes.Step);
            waited += Nodes.Step;
            foreach (var append in leader.TakeReadyCarriedOut().Sent<AppendEntries>().Where(a => a.To == 3))
                leader.Step(Nodes.Acked(3, 1, leader.Term, append.PrevLogIndex + append.Entries.Length));
        }

        Assert.Null(leader.TransferTarget);
        Assert.InRange(waited, Nodes.ElectionMax - Nodes.Step, Nodes.ElectionMax + Nodes.Step);
        Assert.Equal(Role.Leader, leader.Role);
        Assert.True(leader.Propose([1]).Accepted);
    }

    [Fact]
    public void BadRequestsAreRefusedAndChangeNothing()
    {
        var follower = Nodes.New(2, 3, new HardState(3, 1));
        follower.Step(Nodes.Append(1, 2, 3, 0, 0));
        Assert.Equal(TransferResult.NotLeader(1), follower.TransferLeadership(3));

        var leader = LeaderOfThree(out _);
        Assert.Equal($"node 1 already leads", leader.TransferLeadership(1).Refusal);
        Assert.Equal("node 9 is not a voter (voters 1,2,3); only a voter can lead", leader.TransferLeadership(9).Refusal);
        Assert.Null(leader.TransferTarget);

        Assert.True(leader.TransferLeadership(2).Started);
        Assert.True(leader.TransferLeadership(2).Started); // the same one again: already under way
        Assert.Equal("a transfer to node 2 is under way", leader.TransferLeadership(3).Refusal);
        Assert.Equal(2, leader.TransferTarget);
    }

    [Fact]
    public void AFollowerNotHeardFromIsRefusedAndNoTargetPicksTheMostUpToDateLiveOne()
    {
        var leader = LeaderOfThree(out _);
        leader.Propose([1]);
        leader.TakeReadyCarriedOut();
        leader.Step(Nodes.Acked(3, 1, leader.Term, leader.LastLogIndex));
        leader.Step(Nodes.Acked(2, 1, leader.Term, leader.LastLogIndex - 1));

        Assert.Equal(TransferResult.Begun(3), leader.TransferLeadership(null));

        var quiet = LeaderOfThree(out _);
        for (var t = TimeSpan.Zero; t < Nodes.ElectionMax; t += Nodes.Step)
        {
            quiet.Tick(Nodes.Step);
            foreach (var append in quiet.TakeReadyCarriedOut().Sent<AppendEntries>().Where(a => a.To == 3))
                quiet.Step(Nodes.Acked(3, 1, quiet.Term, append.PrevLogIndex + append.Entries.Length));
        }
        Assert.StartsWith("node 2 has not answered node 1 for", quiet.TransferLeadership(2).Refusal);
    }

    [Fact]
    public void TimeoutNowFromTheLeaderStartsARealCampaignWithoutPreVote()
    {
        var follower = Nodes.New(2, 3, new HardState(3, 1), preVote: true);
        follower.Step(Nodes.Append(1, 2, 3, 0, 0));
        follower.TakeReady();

        follower.Step(new TimeoutNow { From = 1, To = 2, Term = 3 });

        Assert.Equal((Role.Candidate, 4L), (follower.Role, follower.Term));
        Assert.All(follower.TakeReady().Sent<RequestVote>(), vote => Assert.False(vote.PreVote));
        // From anyone but its leader, or from an older term, it is ignored.
        var other = Nodes.New(3, 3, new HardState(3, 1));
        other.Step(Nodes.Append(1, 3, 3, 0, 0));
        other.Step(new TimeoutNow { From = 2, To = 3, Term = 3 });
        other.Step(new TimeoutNow { From = 1, To = 3, Term = 2 });
        Assert.Equal((Role.Follower, 3L), (other.Role, other.Term));
    }

    private static RaftNode LeaderOfThree(out Ready won)
    {
        var leader = Nodes.New(1, 3, new HardState(1, null));
        won = Nodes.Elect(leader, 2);
        return leader;
    }
}
