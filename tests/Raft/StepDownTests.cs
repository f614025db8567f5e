using RaftOrleans.Raft;
using Xunit;

namespace RaftOrleans.Tests.Raft;

/// <summary>Figure 2, all servers: a message with a higher term turns a leader or candidate into a follower.</summary>
public class StepDownTests
{
    private static RaftNode LeaderOfTerm3()
    {
        var leader = Nodes.New(1, 3, new HardState(2, null));
        Nodes.Elect(leader, 2);
        Assert.Equal(3, leader.Term);
        return leader;
    }

    private static RaftNode CandidateOfTerm3()
    {
        var candidate = Nodes.New(1, 3, new HardState(2, null), Nodes.Log(1, 2));
        Nodes.TickUntilCandidate(candidate);
        candidate.TakeReadyCarriedOut();
        Assert.Equal(3, candidate.Term);
        return candidate;
    }

    public static TheoryData<string, RaftMessage> HigherTermMessages => new()
    {
        { "vote request from an out-of-date candidate", Nodes.AskVote(2, 1, 7, 0, 0) },
        { "vote reply", Nodes.Deny(2, 1, 7) },
        { "append reply", new AppendEntriesReply
            {
                From = 2, To = 1, Term = 7, Success = false, MatchIndex = 0,
                RejectedPrevIndex = 0, ConflictTerm = 0, ConflictIndex = 0,
            } },
    };

    [Theory]
    [MemberData(nameof(HigherTermMessages))]
    public void LeaderSeeingAHigherTermBecomesFollowerWithItsVoteClearedAndPersisted(string what, RaftMessage message)
    {
        var leader = LeaderOfTerm3();

        leader.Step(message);
        var ready = leader.TakeReadyCarriedOut();

        Assert.True(leader.Role == Role.Follower, what);
        Assert.Equal(7, leader.Term);
        Assert.Null(leader.VotedFor);
        Assert.Null(leader.LeaderId);
        Assert.Equal(new HardState(7, null), ready.HardState);
        Assert.Equal(ProposeResult.NotLeader(null), leader.Propose(new byte[] { 1 }));
    }

    [Theory]
    [MemberData(nameof(HigherTermMessages))]
    public void CandidateSeeingAHigherTermBecomesFollowerWithItsVoteClearedAndPersisted(string what, RaftMessage message)
    {
        var candidate = CandidateOfTerm3();

        candidate.Step(message);
        var ready = candidate.TakeReadyCarriedOut();

        Assert.True(candidate.Role == Role.Follower, what);
        Assert.Equal(7, candidate.Term);
        Assert.Null(candidate.VotedFor);
        Assert.Equal(new HardState(7, null), ready.HardState);
    }

    [Fact]
    public void LeaderReceivingAppendEntriesOfAHigherTermFollowsItsSender()
    {
        var leader = LeaderOfTerm3();

        leader.Step(Nodes.Append(3, 1, 5, 0, 0));
        var ready = leader.TakeReadyCarriedOut();

        Assert.Equal(Role.Follower, leader.Role);
        Assert.Equal(5, leader.Term);
        Assert.Equal(3, leader.LeaderId);
        Assert.Equal(new HardState(5, null), ready.HardState);
        Assert.Contains(ready.Sent<AppendEntriesReply>(), r => r.To == 3 && r.Term == 5);
    }

    [Fact]
    public void CandidateReceivingAppendEntriesOfItsOwnTermFollowsTheWinnerButKeepsItsVote()
    {
        var candidate = CandidateOfTerm3();

        candidate.Step(Nodes.Append(2, 1, 3, 0, 0));
        var ready = candidate.TakeReadyCarriedOut();

        Assert.Equal(Role.Follower, candidate.Role);
        Assert.Equal(3, candidate.Term);
        Assert.Equal(2, candidate.LeaderId);
        // It voted for itself in term 3; forgetting that would let it vote a second time in term 3.
        Assert.Equal(1, candidate.VotedFor);
        Assert.Null(ready.HardState);
        Assert.Contains(ready.Sent<AppendEntriesReply>(), r => r.To == 2 && r.Success);

        candidate.Step(Nodes.AskVote(3, 1, 3, 9, 9));
        Assert.False(Assert.Single(candidate.TakeReadyCarriedOut().Sent<RequestVoteReply>()).VoteGranted);
    }

    [Fact]
    public void LeaderIgnoresALowerTermAndStaysLeader()
    {
        var leader = LeaderOfTerm3();

        leader.Step(Nodes.AskVote(2, 1, 2, 50, 2));
        leader.Step(Nodes.Append(3, 1, 2, 0, 0));
        var ready = leader.TakeReadyCarriedOut();

        Assert.Equal(Role.Leader, leader.Role);
        Assert.Equal(3, leader.Term);
        Assert.Null(ready.HardState);
        Assert.All(ready.Replies.Where(m => m is RequestVoteReply or AppendEntriesReply), m => Assert.Equal(3, m.Term));
        Assert.False(Assert.Single(ready.Sent<RequestVoteReply>()).VoteGranted);
        Assert.False(Assert.Single(ready.Sent<AppendEntriesReply>()).Success);
    }
}
