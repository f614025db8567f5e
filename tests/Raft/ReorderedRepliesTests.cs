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

    /// <summary>
    /// Pipelined appends may reach a follower out of order (Orleans keeps no order between calls). The later one is
    /// refused, the earlier one taken: the leader hears "match 2", then the refusal of prev 2. The follower does not
    /// have entry 3, and when nothing more is proposed no later append will show it; the leader must send entry 3 again
    /// at once, not after an election timeout (under closed-loop load that timeout was the p99: ~200 ms, BENCHMARKS.md).
    /// </summary>
    [Fact]
    public void ARefusalOfAnAppendThatOvertookTheOneBeforeItIsResentAtOnce()
    {
        var leader = Nodes.New(1, 3, new HardState(1, null), maxEntriesPerAppend: 1, maxInflightAppends: 4);
        var follower = Nodes.New(2, 3, new HardState(1, null), maxEntriesPerAppend: 1, maxInflightAppends: 4);
        var noop = Assert.Single(Nodes.Elect(leader, 3).Sent<AppendEntries>(), m => m.To == 2);
        leader.Step(Answer(follower, noop)); // match 1: Replicate mode
        leader.TakeReadyCarriedOut();

        leader.Propose(new byte[] { 2 });
        leader.Propose(new byte[] { 3 });
        var appends = leader.TakeReadyCarriedOut().Sent<AppendEntries>().Where(m => m.To == 2).ToArray();
        Assert.Equal(new long[] { 1, 2 }, appends.Select(a => a.PrevLogIndex)); // two in flight, one entry each

        var refusal = Answer(follower, appends[1]); // overtook the first: prev 2 is not there yet
        Assert.False(refusal.Success);
        var taken = Answer(follower, appends[0]);
        leader.Step(taken);
        leader.TakeReadyCarriedOut();
        Assert.Equal(2, leader.Followers[2].MatchIndex);

        leader.Step(refusal);
        var resent = Assert.Single(leader.TakeReadyCarriedOut().Sent<AppendEntries>(), m => m.To == 2);
        Assert.Equal(2, resent.PrevLogIndex);
        Assert.Equal(new long[] { 3 }, resent.Entries.Select(e => e.Index));
        leader.Step(Answer(follower, resent));
        Assert.Equal(3, leader.Followers[2].MatchIndex);
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
