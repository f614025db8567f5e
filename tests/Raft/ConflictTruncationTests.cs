using RaftOrleans.Raft;
using Xunit;

namespace RaftOrleans.Tests.Raft;

/// <summary>
/// Figure 2, AppendEntries receiver, steps 3 and 4: a conflicting entry deletes it and all that follow, and the
/// deletion reaches storage through Ready.EntriesToPersist, which starts at the truncation index. Entries the
/// follower already holds are never deleted by a request that agrees with them.
/// </summary>
public class ConflictTruncationTests
{
    [Fact]
    public void ConflictingSuffixIsReplacedAndPersistedFromTheTruncationIndex()
    {
        var follower = Nodes.New(2, 3, new HardState(2, null), Nodes.Log(1, 1, 2, 2, 2));

        // Leader of term 3 agrees up to index 2 and has a term-3 entry at index 3.
        follower.Step(Nodes.Append(1, 2, 3, 2, 1, new[] { Nodes.Entry(3, 3) }));
        var ready = follower.TakeReadyCarriedOut();

        Assert.True(Assert.Single(ready.Sent<AppendEntriesReply>()).Success);
        var persisted = Assert.Single(ready.EntriesToPersist);
        Assert.Equal((3L, 3L), (persisted.Index, persisted.Term));
        Assert.Equal(new long[] { 1, 1, 3 }, Nodes.Terms(follower));
    }

    [Fact]
    public void ConflictAfterSomeAgreeingEntriesTruncatesOnlyFromTheFirstConflict()
    {
        var follower = Nodes.New(2, 3, new HardState(2, null), Nodes.Log(1, 1, 2, 2, 2));

        // The request re-sends indexes 2..5; 2 and 3 agree, 4 is where the logs part.
        var entries = new[] { Nodes.Entry(2, 1), Nodes.Entry(3, 2), Nodes.Entry(4, 3), Nodes.Entry(5, 3) };
        follower.Step(Nodes.Append(1, 2, 3, 1, 1, entries));
        var ready = follower.TakeReadyCarriedOut();

        Assert.Equal(new long[] { 4, 5 }, ready.EntriesToPersist.Select(e => e.Index));
        Assert.Equal(new long[] { 1, 1, 2, 3, 3 }, Nodes.Terms(follower));
        Assert.Equal(5, Assert.Single(ready.Sent<AppendEntriesReply>()).MatchIndex);
    }

    [Fact]
    public void AnOldRequestCarryingEntriesAlreadyHeldDoesNotDeleteLaterEntries()
    {
        // A delayed AppendEntries arrives after a newer one: the entries it carries are already in the log.
        var follower = Nodes.New(2, 3, new HardState(3, null), Nodes.Log(1, 3, 3, 3));

        follower.Step(Nodes.Append(1, 2, 3, 1, 1, new[] { Nodes.Entry(2, 3) }));
        var ready = follower.TakeReadyCarriedOut();

        Assert.Empty(ready.EntriesToPersist);
        Assert.Equal(4, follower.LastLogIndex);
        var reply = Assert.Single(ready.Sent<AppendEntriesReply>());
        Assert.True(reply.Success);
        Assert.Equal(2, reply.MatchIndex);
    }

    [Fact]
    public void TwoRequestsInOneBatchPersistOnlyTheSurvivingSuffix()
    {
        var follower = Nodes.New(2, 3, new HardState(2, null), Nodes.Log(1, 2));

        // Two leaders' requests land before the shell takes a Ready: term 2 extends, term 3 then overwrites.
        follower.Step(Nodes.Append(3, 2, 2, 2, 2, new[] { Nodes.Entry(3, 2), Nodes.Entry(4, 2) }));
        follower.Step(Nodes.Append(1, 2, 3, 2, 2, new[] { Nodes.Entry(3, 3) }));
        var ready = follower.TakeReadyCarriedOut();

        // Storage drops everything from the first index and appends the rest: the result must be the log.
        Assert.Equal(new[] { (3L, 3L) }, ready.EntriesToPersist.Select(e => (e.Index, e.Term)));
        Assert.Equal(new long[] { 1, 2, 3 }, Nodes.Terms(follower));
    }
}
