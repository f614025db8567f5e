using RaftOrleans.Raft;
using Xunit;

namespace RaftOrleans.Tests.Raft;

/// <summary>
/// Figure 2, AppendEntries receiver, step 5: commitIndex = min(leaderCommit, index of last new entry). A follower
/// only commits what the request itself proved matches the leader; entries past that may be a stale suffix.
/// </summary>
public class FollowerCommitTests
{
    [Fact]
    public void FollowerCommitsUpToTheLeadersCommitIndexAndHandsEntriesOutInOrder()
    {
        var follower = Nodes.New(2, 3, new HardState(1, null));

        follower.Step(Nodes.Append(1, 2, 1, 0, 0, Nodes.Log(1, 1, 1), leaderCommit: 2));
        var ready = follower.TakeReadyCarriedOut();

        Assert.Equal(2, follower.CommitIndex);
        Assert.Equal(new long[] { 1, 2 }, ready.CommittedEntries.Select(e => e.Index));
        Assert.Equal(2, follower.LastApplied);

        follower.Step(Nodes.Append(1, 2, 1, 3, 1, leaderCommit: 3));
        Assert.Equal(new long[] { 3 }, follower.TakeReadyCarriedOut().CommittedEntries.Select(e => e.Index));
    }

    [Fact]
    public void CommitIndexStopsAtTheLastEntryTheRequestVerified()
    {
        // Index 3 (term 1) may be a stale entry that the leader of term 2 does not have.
        var follower = Nodes.New(2, 3, new HardState(2, null), Nodes.Log(1, 1, 1));

        follower.Step(Nodes.Append(1, 2, 2, 1, 1, leaderCommit: 5));
        var ready = follower.TakeReadyCarriedOut();

        Assert.Equal(1, follower.CommitIndex);
        Assert.Equal(new long[] { 1 }, ready.CommittedEntries.Select(e => e.Index));
    }

    [Fact]
    public void CommitIndexNeverExceedsTheNewEntriesEvenIfTheLeaderIsAhead()
    {
        var follower = Nodes.New(2, 3, new HardState(2, null));

        follower.Step(Nodes.Append(1, 2, 2, 0, 0, Nodes.Log(2, 2), leaderCommit: 10));

        Assert.Equal(2, follower.CommitIndex);
        Assert.Equal(2, follower.TakeReadyCarriedOut().CommittedEntries.Count);
    }

    [Fact]
    public void ARejectedRequestCommitsNothing()
    {
        var follower = Nodes.New(2, 3, new HardState(2, null), Nodes.Log(1, 1));

        follower.Step(Nodes.Append(1, 2, 2, 2, 2, leaderCommit: 2));
        var ready = follower.TakeReadyCarriedOut();

        Assert.Equal(0, follower.CommitIndex);
        Assert.Empty(ready.CommittedEntries);
    }

    [Fact]
    public void CommitIndexNeverGoesBackward()
    {
        var follower = Nodes.New(2, 3, new HardState(1, null));
        follower.Step(Nodes.Append(1, 2, 1, 0, 0, Nodes.Log(1, 1, 1), leaderCommit: 3));
        follower.TakeReadyCarriedOut();

        // A delayed request that only vouches for index 1 arrives late.
        follower.Step(Nodes.Append(1, 2, 1, 0, 0, Nodes.Log(1), leaderCommit: 1));
        var ready = follower.TakeReadyCarriedOut();

        Assert.Equal(3, follower.CommitIndex);
        Assert.Empty(ready.CommittedEntries);
    }
}
