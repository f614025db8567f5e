using RaftOrleans.Raft;
using Xunit;

namespace RaftOrleans.Tests.Raft;

/// <summary>An idle leader keeps its followers from campaigning and tells them what is committed.</summary>
public class HeartbeatTests
{
    [Fact]
    public void IdleLeaderSendsEveryFollowerAnAppendEntriesEachHeartbeatInterval()
    {
        var leader = Nodes.New(1, 3, new HardState(1, null));
        var followers = new[] { Nodes.New(2, 3, new HardState(1, null)), Nodes.New(3, 3, new HardState(1, null)) };
        Nodes.Exchange(leader, Nodes.Elect(leader, 2), followers);
        leader.TakeReadyCarriedOut();
        var lastSent = new Dictionary<int, TimeSpan> { [2] = leader.Now, [3] = leader.Now };

        for (var i = 0; i < 1000; i++)
        {
            leader.Tick(Nodes.Step);
            var ready = leader.TakeReadyCarriedOut();
            foreach (var append in ready.Sent<AppendEntries>())
            {
                Assert.True(leader.Now - lastSent[append.To] <= Nodes.Heartbeat, $"node {append.To} waited {leader.Now - lastSent[append.To]}");
                lastSent[append.To] = leader.Now;
                Assert.Equal(leader.CommitIndex, append.LeaderCommit);
            }
            Nodes.Exchange(leader, ready, followers);
        }

        Assert.All(lastSent.Values, t => Assert.True(leader.Now - t <= Nodes.Heartbeat));
        Assert.All(followers, f => Assert.Equal(leader.CommitIndex, f.CommitIndex));
    }

    [Fact]
    public void AFollowerSlowToAnswerStillHearsAHeartbeatEachIntervalAndItsBatchIsNotResentEarly()
    {
        var leader = Nodes.New(1, 3, new HardState(1, null));
        var followers = new[] { Nodes.New(2, 3, new HardState(1, null)), Nodes.New(3, 3, new HardState(1, null)) };
        Nodes.Exchange(leader, Nodes.Elect(leader, 2, 3), followers); // both ack the no-op: Replicate mode
        leader.TakeReadyCarriedOut();
        leader.Propose(new byte[] { 7 });
        var batch = Assert.Single(leader.TakeReadyCarriedOut().Sent<AppendEntries>(), a => a.To == 2);
        Assert.Equal(new long[] { 2 }, batch.Entries.Select(e => e.Index));

        // Node 2 is busy (say, flushing its disk) and answers nothing for most of an election timeout.
        var heartbeats = new List<AppendEntries>();
        var sentAt = leader.Now;
        var lastHeard = leader.Now;
        while (leader.Now - sentAt < Nodes.ElectionMin - Nodes.Step)
        {
            leader.Tick(Nodes.Step);
            foreach (var append in leader.TakeReadyCarriedOut().Sent<AppendEntries>().Where(a => a.To == 2))
            {
                Assert.True(leader.Now - lastHeard <= Nodes.Heartbeat, $"node 2 heard nothing for {leader.Now - lastHeard}");
                lastHeard = leader.Now;
                heartbeats.Add(append);
            }
        }

        Assert.NotEmpty(heartbeats);
        // Heartbeats only, at the index node 2 is known to hold: the batch in flight is not sent twice.
        Assert.All(heartbeats, h => Assert.Empty(h.Entries));
        Assert.All(heartbeats, h => Assert.Equal(1, h.PrevLogIndex));
    }

    [Fact]
    public void AHealthyClusterElectsOnceAndKeepsThatLeader()
    {
        var wire = new Wire(Nodes.New(1, 3, seed: 1), Nodes.New(2, 3, seed: 2), Nodes.New(3, 3, seed: 3));
        var leader = wire.RunUntilLeader(TimeSpan.FromSeconds(2));
        var term = leader.Term;

        wire.RunFor(TimeSpan.FromSeconds(5));

        Assert.Equal(Role.Leader, leader.Role);
        Assert.Equal(term, leader.Term);
        Assert.Single(wire.LeadersByTerm);
        Assert.All(wire.All.Values, n => Assert.Equal(leader.Id, n.LeaderId));
        // The leader's no-op is committed and applied everywhere.
        Assert.All(wire.Applied.Values, applied => Assert.Equal(new long[] { 1 }, applied.Select(e => e.Index)));
    }

    [Fact]
    public void ASingleNodeLeaderNeverStepsDown()
    {
        var node = Nodes.New(1, 1);
        Nodes.TickUntilCandidate(node);

        for (var i = 0; i < 2000; i++) node.Tick(Nodes.Step);

        Assert.Equal(Role.Leader, node.Role);
        Assert.Equal(1, node.Term);
    }

    /// <summary>
    /// A follower whose disk is still writing an append answers a heartbeat at an index it already holds durably at
    /// once (the answer vouches for nothing the disk has not got), so a stalled disk does not silence it towards the
    /// leader's check-quorum; a heartbeat that would vouch for the entry still being written waits for the disk.
    /// </summary>
    [Fact]
    public void AFollowerAnswersAHeartbeatAtItsDurableIndexWithoutWaitingForItsDisk()
    {
        var follower = Nodes.New(2, 3, new HardState(1, null));
        follower.Step(Nodes.Append(1, 2, 1, 0, 0, Nodes.Log(1), leaderCommit: 1));
        follower.TakeReadyCarriedOut(); // entry 1 durable and applied
        follower.Step(Nodes.Append(1, 2, 1, 1, 1, [Nodes.Entry(2, 1)], leaderCommit: 1));
        var writing = follower.TakeReady(); // entry 2: its write is under way, not yet reported
        Assert.False(writing.MessagesMayPrecedePersist);
        Assert.Single(writing.EntriesToPersist);

        follower.Step(Nodes.Append(1, 2, 1, 1, 1, leaderCommit: 1)); // a heartbeat at the index it holds durably
        var heartbeat = follower.TakeReady();
        Assert.True(heartbeat.MessagesMayPrecedePersist);
        var answer = Assert.IsType<AppendEntriesReply>(Assert.Single(heartbeat.Replies));
        Assert.True(answer.Success);
        Assert.Equal(1, answer.MatchIndex);

        follower.Step(Nodes.Append(1, 2, 1, 2, 1, leaderCommit: 1)); // one at entry 2, which its disk has not got yet
        Assert.False(follower.TakeReady().MessagesMayPrecedePersist);

        follower.StableTo(2, 1);
        follower.Step(Nodes.Append(1, 2, 1, 2, 1, leaderCommit: 1));
        Assert.True(follower.TakeReady().MessagesMayPrecedePersist);
    }
}
