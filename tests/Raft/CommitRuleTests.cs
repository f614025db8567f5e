using RaftOrleans.Raft;
using Xunit;

namespace RaftOrleans.Tests.Raft;

/// <summary>
/// Section 5.4.2 and Figure 8: a leader never commits an entry of an earlier term by counting its replicas; it
/// commits it only indirectly, once an entry of its own term is on a majority. Five nodes S1..S5 as in the figure.
/// </summary>
public class CommitRuleTests
{
    private sealed record Figure8(RaftNode S1, RaftNode S2, RaftNode S3, Ready LeaderReady);

    /// <summary>
    /// Figure 8 (c): S1 was leader of term 2 and wrote index 2 only to itself; now it wins term 4 with the votes
    /// of S2 and S3 and, one entry per AppendEntries, copies index 2 (term 2) to both. Index 2 is then on a
    /// majority while S1's own term-4 no-op at index 3 is on S1 alone. Returned: S1's Ready at that moment.
    /// </summary>
    private static Figure8 OldEntryOnAMajority()
    {
        var s1 = Nodes.New(1, 5, new HardState(3, null), Nodes.Log(1, 2), maxEntriesPerAppend: 1);
        var s2 = Nodes.New(2, 5, new HardState(3, null), Nodes.Log(1));
        var s3 = Nodes.New(3, 5, new HardState(3, null), Nodes.Log(1));

        Nodes.TickUntilCandidate(s1);
        Nodes.Exchange(s1, s1.TakeReadyCarriedOut(), s2, s3);
        Assert.Equal((Role.Leader, 4L), (s1.Role, s1.Term));
        Nodes.Exchange(s1, s1.TakeReadyCarriedOut(), s2, s3); // no-op probe at prev 2: both logs are too short
        Nodes.Exchange(s1, s1.TakeReadyCarriedOut(), s2, s3); // index 2 alone (one entry per AppendEntries)

        Assert.Equal(new long[] { 1, 2 }, Nodes.Terms(s2));
        Assert.Equal(new long[] { 1, 2 }, Nodes.Terms(s3));
        return new Figure8(s1, s2, s3, s1.TakeReadyCarriedOut());
    }

    [Fact]
    public void EntryOfAnEarlierTermOnAMajorityIsNotCommitted()
    {
        var (s1, _, _, ready) = OldEntryOnAMajority();

        Assert.Equal(2, s1.Followers[2].MatchIndex);
        Assert.Equal(2, s1.Followers[3].MatchIndex);
        Assert.Equal(0, s1.CommitIndex);
        Assert.Empty(ready.CommittedEntries);
        Assert.All(ready.Sent<AppendEntries>(), m => Assert.Equal(0, m.LeaderCommit));
    }

    [Fact]
    public void EntryOfTheLeadersTermOnAMajorityCommitsItAndEverythingBefore()
    {
        var (s1, s2, s3, ready) = OldEntryOnAMajority();

        Nodes.Exchange(s1, ready, s2); // the term-4 no-op reaches S2: on 2 of 5 nodes
        Assert.Equal(0, s1.CommitIndex);
        Assert.Empty(s1.TakeReadyCarriedOut().CommittedEntries);

        Nodes.Exchange(s1, ready, s3); // and S3: on 3 of 5
        var committed = s1.TakeReadyCarriedOut().CommittedEntries;

        Assert.Equal(3, s1.CommitIndex);
        Assert.Equal(new[] { (1L, 1L), (2L, 2L), (3L, 4L) }, committed.Select(e => (e.Index, e.Term)));
    }

    [Fact]
    public void TheUncommittedOldEntryCanStillBeOverwrittenByALaterLeader()
    {
        // Figure 8 (d): why counting replicas was not enough. S1 crashes; S5, whose index 2 is of term 3, wins
        // term 5 with the votes of S2, S3 and S4 (its last term 3 beats their 2) and overwrites index 2.
        var (s1, s2, s3, _) = OldEntryOnAMajority();
        var s4 = Nodes.New(4, 5, new HardState(3, null), Nodes.Log(1));
        var s5 = Nodes.New(5, 5, new HardState(4, null), Nodes.Log(1, 3));
        var wire = new Wire(s2, s3, s4, s5);

        Nodes.TickUntilCandidate(s5);
        wire.DeliverAll();

        Assert.Equal((Role.Leader, 5L), (s5.Role, s5.Term));
        Assert.Equal(new long[] { 1, 3, 5 }, Nodes.Terms(s2));
        Assert.Equal(new long[] { 1, 3, 5 }, Nodes.Terms(s3));
        Assert.Equal(new long[] { 1, 3, 5 }, Nodes.Terms(s4));
        // Had S1 committed index 2 (term 2), a committed entry would now be lost.
        Assert.Equal(0, s1.CommitIndex);
        Assert.DoesNotContain(wire.Applied.Values.SelectMany(a => a), e => e.Index == 2 && e.Term == 2);
    }

    [Fact]
    public void LeaderCommitsWhatAMajorityHoldsWithoutWaitingForTheRest()
    {
        var leader = Nodes.New(1, 5, new HardState(1, null));
        var ready = Nodes.Elect(leader, 2, 3);
        var noOp = Assert.Single(ready.EntriesToPersist);

        leader.Step(Nodes.Acked(2, 1, leader.Term, noOp.Index));
        Assert.Equal(0, leader.CommitIndex);
        leader.Step(Nodes.Acked(4, 1, leader.Term, noOp.Index));

        Assert.Equal(noOp.Index, leader.CommitIndex);
        Assert.Equal(new[] { noOp.Index }, leader.TakeReadyCarriedOut().CommittedEntries.Select(e => e.Index));
    }
}
