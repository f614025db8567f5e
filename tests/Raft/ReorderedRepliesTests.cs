using RaftOrleans.Raft;
using Xunit;

namespace RaftOrleans.Tests.Raft;

/// <summary>
/// The network may duplicate, delay and reorder AppendEntries replies. A leader must treat an answer to an
/// older request as old news: never crash on it, never move a follower's match index backwards.
/// </summary>
public class ReorderedRepliesTests
{
    /// <summary>
    /// Leader 1 of term 2 holds terms 1,1,1 plus its no-op (term 2) at index 4, sends at most two entries per
    /// AppendEntries, and has just been elected with node 3's vote. Follower 2 holds only index 1.
    /// </summary>
    private static (RaftNode Leader, RaftNode Follower, AppendEntries FirstProbe) Setup()
    {
        var leader = Nodes.New(1, 3, new HardState(1, null), Nodes.Log(1, 1, 1), maxEntriesPerAppend: 2);
        var follower = Nodes.New(2, 3, new HardState(1, null), Nodes.Log(1));
        var probe = Assert.Single(Nodes.Elect(leader, 3).Sent<AppendEntries>(), m => m.To == 2);
        Assert.Equal(3, probe.PrevLogIndex);
        return (leader, follower, probe);
    }

    private static AppendEntriesReply Answer(RaftNode follower, AppendEntries request)
    {
        follower.Step(request);
        return Assert.Single(follower.TakeReadyCarriedOut().Sent<AppendEntriesReply>());
    }

    /// <summary>Ticks the leader in 1 ms steps until it sends node 2 an AppendEntries, and returns it.</summary>
    private static AppendEntries NextAppendTo2(RaftNode leader)
    {
        for (var i = 0; i < 1000; i++)
        {
            leader.Tick(Nodes.Step);
            var sent = leader.TakeReadyCarriedOut().Sent<AppendEntries>().Where(m => m.To == 2).ToArray();
            if (sent.Length > 0) return Assert.Single(sent);
        }
        throw new InvalidOperationException("the leader never sent to node 2 again");
    }

    [Fact]
    public void DuplicatedRejectionIsAnsweredOnce()
    {
        var (leader, follower, probe) = Setup();
        var rejection = Answer(follower, probe);

        leader.Step(rejection);
        var first = leader.TakeReadyCarriedOut().Sent<AppendEntries>().ToArray();
        leader.Step(rejection);
        var second = leader.TakeReadyCarriedOut().Sent<AppendEntries>().ToArray();

        Assert.Equal(1, Assert.Single(first).PrevLogIndex); // back to where the follower's log ends
        Assert.Empty(second);
    }

    [Fact]
    public void LateSuccessReplyDoesNotMoveMatchIndexBackwards()
    {
        var (leader, follower, probe) = Setup();
        leader.Step(Answer(follower, probe));
        var repair = Assert.Single(leader.TakeReadyCarriedOut().Sent<AppendEntries>());
        var firstAck = Answer(follower, repair); // matches up to 3
        leader.Step(firstAck);
        var rest = Assert.Single(leader.TakeReadyCarriedOut().Sent<AppendEntries>());
        leader.Step(Answer(follower, rest)); // matches up to 4

        leader.Step(firstAck); // delivered a second time, late

        Assert.Equal(4, leader.Followers[2].MatchIndex);
        Assert.Equal(4, leader.CommitIndex);
    }

    [Fact]
    public void LateRejectionOfAnIndexTheFollowerHasSinceMatchedIsIgnored()
    {
        var (leader, follower, probe) = Setup();
        var rejection = Answer(follower, probe);

        // The probe at prev 3 is sent again on the next heartbeat and rejected again; that answer is delayed.
        var retry = NextAppendTo2(leader);
        Assert.Equal(3, retry.PrevLogIndex);
        var delayedRejection = Answer(follower, retry);

        // Meanwhile the first rejection leads the leader back to index 2, and the follower matches up to 3.
        leader.Step(rejection);
        var repair = Assert.Single(leader.TakeReadyCarriedOut().Sent<AppendEntries>());
        leader.Step(Answer(follower, repair));
        Assert.Equal(3, leader.Followers[2].MatchIndex);

        // The append of index 4 is lost. Heartbeats at the follower's match index (3) follow; once the append is
        // an election timeout old the leader counts it lost and probes at prev 3 again, with entry 4.
        Assert.Single(leader.TakeReadyCarriedOut().Sent<AppendEntries>());
        var heartbeat = NextAppendTo2(leader);
        Assert.Equal(3, heartbeat.PrevLogIndex);
        Assert.Empty(heartbeat.Entries);
        var reprobe = NextAppendTo2(leader);
        while (reprobe.Entries.Length == 0) reprobe = NextAppendTo2(leader);
        Assert.Equal(3, reprobe.PrevLogIndex);

        // Now the delayed rejection of prev 3 arrives: it is about a log the follower no longer has.
        var ex = Record.Exception(() => leader.Step(delayedRejection));

        Assert.Null(ex);
        Assert.Equal(Role.Leader, leader.Role);
        Assert.Equal(3, leader.Followers[2].MatchIndex);
        leader.Step(Answer(follower, reprobe));
        Assert.Equal(Nodes.Terms(leader), Nodes.Terms(follower));
    }
}
