using RaftOrleans.Raft;
using Xunit;

namespace RaftOrleans.Tests.Raft;

/// <summary>Figure 2, RequestVote receiver: at most one vote per term, durable before it is announced.</summary>
public class VotingTests
{
    private static RequestVoteReply ReplyTo(Ready ready, int candidate) =>
        Assert.Single(ready.Sent<RequestVoteReply>(), r => r.To == candidate);

    [Fact]
    public void GrantsOneVotePerTermAndRefusesASecondCandidateOfThatTerm()
    {
        var voter = Nodes.New(1, 3);

        voter.Step(Nodes.AskVote(2, 1, 1, 0, 0));
        voter.Step(Nodes.AskVote(3, 1, 1, 0, 0));
        var ready = voter.TakeReadyCarriedOut();

        Assert.True(ReplyTo(ready, 2).VoteGranted);
        var refusal = ReplyTo(ready, 3);
        Assert.False(refusal.VoteGranted);
        Assert.Equal(1, refusal.Term);
        Assert.Equal(2, voter.VotedFor);
        Assert.Equal(new HardState(1, 2), ready.HardState);
    }

    [Fact]
    public void RepeatsTheVoteToTheSameCandidateWhenItAsksAgain()
    {
        var voter = Nodes.New(1, 3);
        voter.Step(Nodes.AskVote(2, 1, 1, 0, 0));
        voter.TakeReadyCarriedOut();

        voter.Step(Nodes.AskVote(2, 1, 1, 0, 0)); // the first reply was lost
        var ready = voter.TakeReadyCarriedOut();

        Assert.True(ReplyTo(ready, 2).VoteGranted);
        Assert.Equal(2, voter.VotedFor);
    }

    [Fact]
    public void TheVoteIsInTheHardStateOfTheReadyThatCarriesTheGrant()
    {
        var voter = Nodes.New(1, 3, new HardState(6, 3));

        voter.Step(Nodes.AskVote(2, 1, 7, 0, 0));
        var ready = voter.TakeReadyCarriedOut();

        // The shell persists Ready.HardState before it sends Ready.Messages: the grant never leaves unrecorded.
        Assert.True(ReplyTo(ready, 2).VoteGranted);
        Assert.Equal(new HardState(7, 2), ready.HardState);
    }

    [Fact]
    public void AVoterRestartedFromItsPersistedHardStateDoesNotVoteAgainInThatTerm()
    {
        var voter = Nodes.New(1, 3);
        voter.Step(Nodes.AskVote(2, 1, 1, 0, 0));
        var persisted = voter.TakeReadyCarriedOut().HardState!;

        var restarted = Nodes.New(1, 3, persisted);
        restarted.Step(Nodes.AskVote(3, 1, 1, 0, 0));

        Assert.False(ReplyTo(restarted.TakeReadyCarriedOut(), 3).VoteGranted);
        Assert.Equal(2, restarted.VotedFor);
    }

    [Fact]
    public void ACandidateHasVotedForItselfAndRefusesARivalOfItsTerm()
    {
        var candidate = Nodes.New(1, 3);
        Nodes.TickUntilCandidate(candidate);
        candidate.TakeReadyCarriedOut();

        candidate.Step(Nodes.AskVote(2, 1, candidate.Term, 5, 5));

        Assert.False(ReplyTo(candidate.TakeReadyCarriedOut(), 2).VoteGranted);
        Assert.Equal(Role.Candidate, candidate.Role);
        Assert.Equal(1, candidate.VotedFor);
    }

    [Fact]
    public void ALaterTermFreesTheVote()
    {
        var voter = Nodes.New(1, 3, new HardState(1, 2));

        voter.Step(Nodes.AskVote(3, 1, 2, 0, 0));
        var ready = voter.TakeReadyCarriedOut();

        Assert.True(ReplyTo(ready, 3).VoteGranted);
        Assert.Equal(new HardState(2, 3), ready.HardState);
    }

    [Fact]
    public void RefusesACandidateOfAnOlderTermAndTellsItTheCurrentTerm()
    {
        var voter = Nodes.New(1, 3, new HardState(5, null));

        voter.Step(Nodes.AskVote(2, 1, 3, 10, 3));
        var ready = voter.TakeReadyCarriedOut();

        var reply = ReplyTo(ready, 2);
        Assert.False(reply.VoteGranted);
        Assert.Equal(5, reply.Term);
        Assert.Null(voter.VotedFor);
        Assert.Equal(5, voter.Term);
        Assert.Null(ready.HardState);
    }

    [Fact]
    public void AVoteInTheCurrentTermIsPersistedEvenThoughTheTermDidNotChange()
    {
        // The voter already knows term 4 (say from an earlier refused request) but has not voted in it.
        var voter = Nodes.New(1, 3, new HardState(4, null));

        voter.Step(Nodes.AskVote(2, 1, 4, 0, 0));
        var ready = voter.TakeReadyCarriedOut();

        Assert.True(ReplyTo(ready, 2).VoteGranted);
        Assert.Equal(new HardState(4, 2), ready.HardState);
    }

    [Fact]
    public void GrantingAVoteRestartsTheVotersElectionTimer()
    {
        // Otherwise a voter would campaign against the candidate it just helped and disrupt its election.
        var voter = Nodes.New(1, 3, new HardState(1, null));
        var almost = Nodes.ElectionMin - TimeSpan.FromMilliseconds(5);
        for (var t = TimeSpan.Zero; t < almost; t += Nodes.Step) voter.Tick(Nodes.Step);

        voter.Step(Nodes.AskVote(2, 1, 1, 0, 0)); // same term: only the grant itself can restart the timer
        for (var t = TimeSpan.Zero; t < almost; t += Nodes.Step) voter.Tick(Nodes.Step);

        Assert.Equal(Role.Follower, voter.Role);
        Assert.Equal(1, voter.Term);
        Assert.Equal(2, voter.VotedFor);
    }
}
