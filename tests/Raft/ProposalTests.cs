using System.Text;
using RaftOrleans.Raft;
using Xunit;

namespace RaftOrleans.Tests.Raft;

/// <summary>Client commands: only a leader appends them; they take effect when they come out committed.</summary>
public class ProposalTests
{
    private static byte[] Command(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public void FollowerRefusesAndNamesTheLeaderItFollows()
    {
        var follower = Nodes.New(2, 3, new HardState(1, null));
        follower.Step(Nodes.Append(3, 2, 1, 0, 0));

        var result = follower.Propose(Command("x"));

        Assert.False(result.Accepted);
        Assert.Equal(3, result.LeaderHint);
        Assert.Empty(follower.TakeReadyCarriedOut().EntriesToPersist);
        Assert.Equal(0, follower.LastLogIndex);
    }

    [Fact]
    public void FollowerThatKnowsNoLeaderRefusesWithoutAHint()
    {
        var follower = Nodes.New(2, 3);

        Assert.Equal(ProposeResult.NotLeader(null), follower.Propose(Command("x")));
    }

    [Fact]
    public void CandidateRefusesWithoutAHint()
    {
        var candidate = Nodes.New(1, 3);
        candidate.Step(Nodes.Append(2, 1, 1, 0, 0)); // it knew a leader in term 1
        Nodes.TickUntilCandidate(candidate);

        Assert.Equal(ProposeResult.NotLeader(null), candidate.Propose(Command("x")));
    }

    [Fact]
    public void SingleNodeClusterCommitsItsOwnProposalOnceItsWriteIsDurable()
    {
        var node = Nodes.New(1, 1);
        Nodes.TickUntilCandidate(node);
        node.TakeReadyCarriedOut();

        var result = node.Propose(Command("put a"));
        var written = node.TakeReady();

        Assert.Equal(ProposeResult.Appended(2, 1), result);
        var persisted = Assert.Single(written.EntriesToPersist);
        Assert.DoesNotContain(written.CommittedEntries, e => e.Index == 2); // its only vote is its own disk, still writing

        node.StableTo(persisted.Index, persisted.Term);
        var ready = node.TakeReady();

        var entry = Assert.Single(ready.CommittedEntries);
        Assert.Equal((2L, 1L), (entry.Index, entry.Term));
        Assert.Equal(Command("put a"), entry.Data);
    }

    /// <summary>
    /// Raft thesis 10.2.1: the leader sends its new entries before its own write of them is durable, so it may
    /// count itself toward a commit only once that write is reported. With two of three nodes needed, one
    /// follower's acknowledgement is not enough while the leader's disk is still writing.
    /// </summary>
    [Fact]
    public void ALeaderCountsItselfTowardACommitOnlyOnceItsOwnWriteIsDurable()
    {
        var leader = Nodes.New(1, 3);
        Nodes.Elect(leader, 2);
        leader.Step(Nodes.Acked(2, 1, leader.Term, 1));
        leader.Step(Nodes.Acked(3, 1, leader.Term, 1));
        leader.TakeReadyCarriedOut();

        leader.Propose(Command("put a"));
        var ready = leader.TakeReady();
        Assert.True(ready.MessagesMayPrecedePersist);
        Assert.Equal(2, ready.Sent<AppendEntries>().Count(a => a.Entries.Length == 1));

        leader.Step(Nodes.Acked(2, 1, leader.Term, 2));
        Assert.Equal(1, leader.CommitIndex);

        leader.StableTo(2, leader.Term);
        Assert.Equal(2, leader.CommitIndex);
    }

    [Fact]
    public void AMajorityOfFollowersCommitsWithoutTheLeadersOwnWrite()
    {
        var leader = Nodes.New(1, 5);
        Nodes.Elect(leader, 2, 3);
        foreach (var follower in new[] { 2, 3, 4, 5 }) leader.Step(Nodes.Acked(follower, 1, leader.Term, 1));
        leader.TakeReadyCarriedOut();

        leader.Propose(Command("put a"));
        leader.TakeReady(); // its write of entry 2 is still under way
        leader.Step(Nodes.Acked(2, 1, leader.Term, 2));
        leader.Step(Nodes.Acked(3, 1, leader.Term, 2));
        Assert.Equal(1, leader.CommitIndex);
        leader.Step(Nodes.Acked(4, 1, leader.Term, 2));
        Assert.Equal(2, leader.CommitIndex);
    }

    [Fact]
    public void AStableReportForAnEntryTheLogNoLongerHoldsIsIgnored()
    {
        var follower = Nodes.New(2, 3, new HardState(2, 1), Nodes.Log(1, 1, 2));
        follower.Step(Nodes.Append(3, 2, 3, 2, 1, [Nodes.Entry(3, 3)]));
        follower.TakeReadyCarriedOut();
        Assert.Equal(3, follower.StableIndex);

        follower.StableTo(3, 2); // a late report of the write the conflict replaced
        Assert.Equal(3, follower.StableIndex);
        Assert.Equal(3, follower.TermAt(3));
    }

    [Fact]
    public void LeaderAppendsReplicatesAndCommitsOnlyOnceAMajorityHoldsTheEntry()
    {
        var leader = Nodes.New(1, 3, new HardState(1, null));
        var follower = Nodes.New(2, 3, new HardState(1, null));
        Nodes.Exchange(leader, Nodes.Elect(leader, 3), follower); // the no-op reaches node 2
        leader.TakeReadyCarriedOut();

        var result = leader.Propose(Command("put b"));
        var ready = leader.TakeReadyCarriedOut();

        Assert.Equal(ProposeResult.Appended(2, 2), result);
        Assert.Equal(Command("put b"), Assert.Single(ready.EntriesToPersist).Data);
        Assert.Empty(ready.CommittedEntries);
        var append = Assert.Single(ready.Sent<AppendEntries>(), m => m.To == 2);
        Assert.Equal(Command("put b"), Assert.Single(append.Entries).Data);

        Nodes.Exchange(leader, ready, follower);
        var committed = leader.TakeReadyCarriedOut().CommittedEntries;

        Assert.Equal(new long[] { 2 }, committed.Select(e => e.Index));
        Assert.Equal(Command("put b"), committed[0].Data);
    }

    [Fact]
    public void ProposalsArrivingTogetherTravelInOneAppendEntries()
    {
        var leader = Nodes.New(1, 3, new HardState(1, null));
        var follower = Nodes.New(2, 3, new HardState(1, null));
        Nodes.Exchange(leader, Nodes.Elect(leader, 3), follower);
        leader.TakeReadyCarriedOut();

        leader.Propose(Command("1"));
        leader.Propose(Command("2"));
        leader.Propose(Command("3"));
        var append = Assert.Single(leader.TakeReadyCarriedOut().Sent<AppendEntries>(), m => m.To == 2);

        Assert.Equal(new long[] { 2, 3, 4 }, append.Entries.Select(e => e.Index));
    }

    [Fact]
    public void AnEmptyCommandIsRejectedBecauseEmptyMarksANoOp()
    {
        var node = Nodes.New(1, 1);
        Nodes.TickUntilCandidate(node);

        Assert.Throws<ArgumentException>(() => node.Propose(Array.Empty<byte>()));
    }
}
