using RaftOrleans.Raft;
using Xunit;

namespace RaftOrleans.Tests.Raft;

/// <summary>
/// Section 5.4.1: a voter grants only to a candidate whose log is at least as up to date as its own
/// (higher last term, or the same last term and at least as long). This keeps committed entries in every leader.
/// </summary>
public class ElectionRestrictionTests
{
    // The voter's log: terms 1,1,2,3,3, so last index 5 and last term 3.
    private static RaftNode Voter() => Nodes.New(1, 3, new HardState(3, null), Nodes.Log(1, 1, 2, 3, 3));

    [Theory]
    [InlineData(10, 2, false)] // lower last term, even though longer
    [InlineData(4, 3, false)]  // same last term, shorter
    [InlineData(0, 0, false)]  // empty log
    [InlineData(5, 3, true)]   // identical
    [InlineData(6, 3, true)]   // same last term, longer
    [InlineData(1, 4, true)]   // higher last term, even though shorter
    public void VoterComparesLastTermThenLength(long lastIndex, long lastTerm, bool granted)
    {
        var voter = Voter();

        voter.Step(Nodes.AskVote(2, 1, 4, lastIndex, lastTerm));
        var reply = Assert.Single(voter.TakeReadyCarriedOut().Sent<RequestVoteReply>());

        Assert.Equal(granted, reply.VoteGranted);
        Assert.Equal(granted ? 2 : null, voter.VotedFor);
        // Either way the voter has seen term 4 and moved to it.
        Assert.Equal(4, voter.Term);
        Assert.Equal(4, reply.Term);
    }

    [Fact]
    public void RefusingAnOutOfDateCandidateKeepsTheVoteFreeForAnUpToDateOneInTheSameTerm()
    {
        var voter = Voter();

        voter.Step(Nodes.AskVote(2, 1, 4, 4, 3));
        voter.Step(Nodes.AskVote(3, 1, 4, 5, 3));
        var replies = voter.TakeReadyCarriedOut().Sent<RequestVoteReply>().ToDictionary(r => r.To, r => r.VoteGranted);

        Assert.False(replies[2]);
        Assert.True(replies[3]);
        Assert.Equal(3, voter.VotedFor);
    }

    [Fact]
    public void ACandidateMissingACommittedEntryCannotWinAFiveNodeElection()
    {
        // Entry 3 (term 2) is on nodes 1, 2 and 3: a majority. Node 4 lacks it and needs 3 votes of 5.
        var wire = new Wire(
            Nodes.New(1, 5, new HardState(2, null), Nodes.Log(1, 1, 2)),
            Nodes.New(2, 5, new HardState(2, null), Nodes.Log(1, 1, 2)),
            Nodes.New(3, 5, new HardState(2, null), Nodes.Log(1, 1, 2)),
            Nodes.New(4, 5, new HardState(2, null), Nodes.Log(1, 1)),
            Nodes.New(5, 5, new HardState(2, null), Nodes.Log(1, 1)));
        wire.Cut.Add(1);

        Nodes.TickUntilCandidate(wire[4]);
        wire.DeliverAll();

        Assert.Equal(Role.Candidate, wire[4].Role);
        Assert.Null(wire[2].VotedFor);
        Assert.Null(wire[3].VotedFor);
        Assert.Equal(4, wire[5].VotedFor);
        Assert.Equal(new HardState(3, 4), wire.PersistedHardState[5]);
    }
}
