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
        Assert.Empty(follower.TakeReady().EntriesToPersist);
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
    public void SingleNodeClusterCommitsItsOwnProposalAtOnce()
    {
        var node = Nodes.New(1, 1);
        Nodes.TickUntilCandidate(node);
        node.TakeReady();

        var result = node.Propose(Command("put a"));
        var ready = node.TakeReady();

        Assert.Equal(ProposeResult.Appended(2, 1), result);
        var entry = Assert.Single(ready.CommittedEntries);
        Assert.Equal((2L, 1L), (entry.Index, entry.Term));
        Assert.Equal(Command("put a"), entry.Data);
        Assert.Equal(entry, Assert.Single(ready.EntriesToPersist));
    }

    [Fact]
    public void LeaderAppendsReplicatesAndCommitsOnlyOnceAMajorityHoldsTheEntry()
    {
        var leader = Nodes.New(1, 3, new HardState(1, null));
        var follower = Nodes.New(2, 3, new HardState(1, null));
        Nodes.Exchange(leader, Nodes.Elect(leader, 3), follower); // the no-op reaches node 2
        leader.TakeReady();

        var result = leader.Propose(Command("put b"));
        var ready = leader.TakeReady();

        Assert.Equal(ProposeResult.Appended(2, 2), result);
        Assert.Equal(Command("put b"), Assert.Single(ready.EntriesToPersist).Data);
        Assert.Empty(ready.CommittedEntries);
        var append = Assert.Single(ready.Sent<AppendEntries>(), m => m.To == 2);
        Assert.Equal(Command("put b"), Assert.Single(append.Entries).Data);

        Nodes.Exchange(leader, ready, follower);
        var committed = leader.TakeReady().CommittedEntries;

        Assert.Equal(new long[] { 2 }, committed.Select(e => e.Index));
        Assert.Equal(Command("put b"), committed[0].Data);
    }

    [Fact]
    public void ProposalsArrivingTogetherTravelInOneAppendEntries()
    {
        var leader = Nodes.New(1, 3, new HardState(1, null));
        var follower = Nodes.New(2, 3, new HardState(1, null));
        Nodes.Exchange(leader, Nodes.Elect(leader, 3), follower);
        leader.TakeReady();

        leader.Propose(Command("1"));
        leader.Propose(Command("2"));
        leader.Propose(Command("3"));
        var append = Assert.Single(leader.TakeReady().Sent<AppendEntries>(), m => m.To == 2);

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
