using RaftOrleans.Raft;
using Xunit;

namespace RaftOrleans.Tests.Raft;

/// <summary>
/// A snapshot's transfer as the leader's core sees it: a transfer that keeps moving (its chunks answered) is not
/// restarted however long it takes, one that stalls is sent again after the retry interval; and a follower that
/// already holds the snapshot's index says so at the first chunk, so a resent transfer stops at once.
/// </summary>
public class SnapshotTransferTests
{
    private static LogEntry[] TermOneLog(int length) => Nodes.Log(Enumerable.Repeat(1L, length).ToArray());

    /// <summary>A 5-node leader that compacted its log and has just asked for its snapshot to go to node 4.</summary>
    private static (RaftNode Leader, RaftNode[] Others, InstallSnapshot First) LeaderSendingSnapshot()
    {
        var leader = Nodes.New(1, 5, new HardState(1, null), TermOneLog(30));
        var others = new[] { Nodes.New(2, 5, new HardState(1, null), TermOneLog(30)), Nodes.New(3, 5, new HardState(1, null), TermOneLog(30)) };
        var behind = Nodes.New(4, 5, new HardState(1, null), TermOneLog(5));
        var won = Nodes.Elect(leader, 2, 3);
        Nodes.Exchange(leader, won, others);
        leader.TakeReadyCarriedOut();
        leader.Compact(31);
        Nodes.Exchange(leader, won, behind); // rejects the append at 30: it needs the snapshot
        var first = Assert.Single(leader.TakeReadyCarriedOut().Sent<InstallSnapshot>(), m => m.To == 4); // (node 5, silent, gets one too)
        Assert.Equal(4, first.To);
        return (leader, others, first);
    }

    /// <summary>Time passes on the leader in heartbeat steps, its heartbeats answered by nodes 2 and 3; returns the snapshots it asked to send node 4.</summary>
    private static List<InstallSnapshot> Pass(RaftNode leader, RaftNode[] others, TimeSpan time, Action? eachStep = null)
    {
        var sent = new List<InstallSnapshot>();
        for (var elapsed = TimeSpan.Zero; elapsed < time; elapsed += Nodes.Heartbeat)
        {
            leader.Tick(Nodes.Heartbeat);
            eachStep?.Invoke();
            var ready = leader.TakeReadyCarriedOut();
            sent.AddRange(ready.Sent<InstallSnapshot>().Where(m => m.To == 4));
            Nodes.Exchange(leader, ready, others);
        }
        return sent;
    }

    [Fact]
    public void A_transfer_whose_chunks_are_answered_is_not_restarted_however_long_it_takes()
    {
        var (leader, others, first) = LeaderSendingSnapshot();
        var chunkAnswered = new InstallSnapshotReply { From = 4, To = 1, Term = leader.Term, Done = false, MatchIndex = 0 };

        var resent = Pass(leader, others, TimeSpan.FromSeconds(6), eachStep: () => leader.Step(chunkAnswered));

        Assert.Empty(resent);
        Assert.Equal(Role.Leader, leader.Role);
        Assert.Equal(4, first.To);
    }

    [Fact]
    public void A_transfer_that_stalls_is_sent_again_after_the_retry_interval()
    {
        var (leader, others, _) = LeaderSendingSnapshot();

        var resent = Pass(leader, others, TimeSpan.FromSeconds(2.5));

        var again = Assert.Single(resent);
        Assert.Equal(4, again.To);
        Assert.Equal(31, again.LastIncludedIndex);
    }

    [Fact]
    public void A_follower_that_holds_the_snapshots_index_says_so_at_the_first_chunk()
    {
        var (leader, _, first) = LeaderSendingSnapshot();
        var caughtUp = Nodes.New(4, 5, new HardState(leader.Term, null), TermOneLog(30));
        caughtUp.Step(Nodes.Append(1, 4, leader.Term, prevIndex: 30, prevTerm: 1,
            entries: [new LogEntry(31, leader.Term, [])], leaderCommit: 31));
        caughtUp.TakeReady();
        Assert.Equal(31, caughtUp.CommitIndex);

        caughtUp.Step(first with { Offset = 0, Data = [1, 2, 3], Done = false });

        var reply = Assert.Single(caughtUp.TakeReady().Sent<InstallSnapshotReply>());
        Assert.True(reply.Done);
        Assert.Equal(31, reply.MatchIndex);
    }
}
