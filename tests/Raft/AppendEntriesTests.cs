using RaftOrleans.Raft;
using Xunit;

namespace RaftOrleans.Tests.Raft;

/// <summary>Figure 2, AppendEntries receiver: the term check and the consistency check on the previous entry.</summary>
public class AppendEntriesTests
{
    // The follower's log: terms 1,1,2,2 (indexes 1..4), current term 3.
    private static RaftNode Follower() => Nodes.New(2, 3, new HardState(3, null), Nodes.Log(1, 1, 2, 2));

    private static AppendEntriesReply SingleReply(RaftNode node) => Assert.Single(node.TakeReadyCarriedOut().Sent<AppendEntriesReply>());

    [Fact]
    public void RequestOfAStaleTermIsRejectedWithTheReceiversTermAndChangesNothing()
    {
        var follower = Follower();

        follower.Step(Nodes.Append(1, 2, 2, 4, 2, new[] { Nodes.Entry(5, 2) }, leaderCommit: 5));
        var ready = follower.TakeReadyCarriedOut();

        var reply = Assert.Single(ready.Sent<AppendEntriesReply>());
        Assert.False(reply.Success);
        Assert.Equal(3, reply.Term);
        Assert.Equal(1, reply.To);
        Assert.Empty(ready.EntriesToPersist);
        Assert.Empty(ready.CommittedEntries);
        Assert.Equal(4, follower.LastLogIndex);
        Assert.Equal(0, follower.CommitIndex);
        Assert.Null(follower.LeaderId);
    }

    [Fact]
    public void PreviousIndexBeyondTheLogIsRejectedWithTheLogsEnd()
    {
        var follower = Follower();

        follower.Step(Nodes.Append(1, 2, 3, 6, 3, new[] { Nodes.Entry(7, 3) }));
        var ready = follower.TakeReadyCarriedOut();

        var reply = Assert.Single(ready.Sent<AppendEntriesReply>());
        Assert.False(reply.Success);
        Assert.Equal(6, reply.RejectedPrevIndex);
        Assert.Equal(0, reply.ConflictTerm);
        Assert.Equal(5, reply.ConflictIndex);
        Assert.Empty(ready.EntriesToPersist);
        Assert.Equal(4, follower.LastLogIndex);
        // The sender is still this term's leader even though the logs disagree.
        Assert.Equal(1, follower.LeaderId);
    }

    [Fact]
    public void PreviousEntryOfAnotherTermIsRejectedWithTheConflictingTermAndWhereItStarts()
    {
        var follower = Follower();

        follower.Step(Nodes.Append(1, 2, 3, 4, 3, new[] { Nodes.Entry(5, 3) }));
        var ready = follower.TakeReadyCarriedOut();

        var reply = Assert.Single(ready.Sent<AppendEntriesReply>());
        Assert.False(reply.Success);
        Assert.Equal(4, reply.RejectedPrevIndex);
        Assert.Equal(2, reply.ConflictTerm);
        Assert.Equal(3, reply.ConflictIndex);
        Assert.Empty(ready.EntriesToPersist);
        Assert.Equal(new long[] { 1, 1, 2, 2 }, Nodes.Terms(follower));
    }

    [Fact]
    public void MatchingPreviousEntryAppendsAndReportsTheVerifiedIndex()
    {
        var follower = Follower();
        var entries = new[] { Nodes.Entry(5, 3), Nodes.Entry(6, 3) };

        follower.Step(Nodes.Append(1, 2, 3, 4, 2, entries));
        var ready = follower.TakeReadyCarriedOut();

        var reply = Assert.Single(ready.Sent<AppendEntriesReply>());
        Assert.True(reply.Success);
        Assert.Equal(6, reply.MatchIndex);
        Assert.Equal(3, reply.Term);
        Assert.Equal(new long[] { 5, 6 }, ready.EntriesToPersist.Select(e => e.Index));
        Assert.Equal(new long[] { 1, 1, 2, 2, 3, 3 }, Nodes.Terms(follower));
        Assert.Equal(entries[1].Data, follower.EntryAt(6).Data);
    }

    [Fact]
    public void HeartbeatWithMatchingPreviousEntrySucceedsWithoutPersistingAnything()
    {
        var follower = Follower();

        follower.Step(Nodes.Append(1, 2, 3, 2, 1));
        var ready = follower.TakeReadyCarriedOut();

        var reply = Assert.Single(ready.Sent<AppendEntriesReply>());
        Assert.True(reply.Success);
        Assert.Equal(2, reply.MatchIndex);
        Assert.Empty(ready.EntriesToPersist);
        Assert.Equal(4, follower.LastLogIndex); // a heartbeat never shortens the log
    }

    [Fact]
    public void EmptyFollowerAcceptsEntriesFromTheStartOfTheLog()
    {
        var follower = Nodes.New(2, 3);

        follower.Step(Nodes.Append(1, 2, 1, 0, 0, Nodes.Log(1, 1)));

        Assert.True(SingleReply(follower).Success);
        Assert.Equal(new long[] { 1, 1 }, Nodes.Terms(follower));
        Assert.Equal(1, follower.Term);
    }
}
