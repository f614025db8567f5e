using RaftOrleans.Raft;
using Xunit;

namespace RaftOrleans.Tests.Raft;

/// <summary>
/// Compaction with a catch-up tail (raft.toml's snapshot_catchup_entries): after a snapshot the log keeps its
/// last entries before the snapshot's index, so a follower a little behind is repaired with AppendEntries,
/// and only one behind the log's new start receives the snapshot, which is the latest one, not the log start.
/// </summary>
public class CompactionTests
{
    private static LogEntry[] TermOneLog(int length) => Nodes.Log(Enumerable.Repeat(1L, length).ToArray());

    [Fact]
    public void FollowersInsideTheKeptTailGetEntriesAndOnlyThoseBehindItGetTheSnapshot()
    {
        var leader = Nodes.New(1, 5, new HardState(1, null), TermOneLog(30));
        var upToDate = new[] { Nodes.New(2, 5, new HardState(1, null), TermOneLog(30)), Nodes.New(3, 5, new HardState(1, null), TermOneLog(30)) };
        var farBehind = Nodes.New(4, 5, new HardState(1, null), TermOneLog(10));
        var slightlyBehind = Nodes.New(5, 5, new HardState(1, null), TermOneLog(28));

        var won = Nodes.Elect(leader, 2, 3);
        Nodes.Exchange(leader, won, upToDate);
        var committed = leader.TakeReadyCarriedOut().CommittedEntries;
        Assert.Equal(31, leader.CommitIndex);
        Assert.Equal(31, committed[^1].Index); // the no-op of term 2

        leader.Compact(31, keepEntries: 5);

        Assert.Equal(31, leader.SnapshotIndex);
        Assert.Equal(2, leader.SnapshotTerm);
        Assert.Equal(27, leader.FirstLogIndex);
        Assert.Equal(1, leader.TermAt(26)); // the log's new prefix
        Assert.Null(leader.TermAt(25));

        // Both laggards reject the election's first append (prev 30); each answer moves its next index back.
        Nodes.Exchange(leader, won, farBehind, slightlyBehind);
        var repair = leader.TakeReadyCarriedOut();

        var snapshot = Assert.Single(repair.Sent<InstallSnapshot>());
        Assert.Equal(4, snapshot.To);
        Assert.Equal(31, snapshot.LastIncludedIndex);
        Assert.Equal(2, snapshot.LastIncludedTerm);

        var append = Assert.Single(repair.Sent<AppendEntries>(), a => a.To == 5);
        Assert.Equal(28, append.PrevLogIndex);
        Assert.Equal(new long[] { 29, 30, 31 }, append.Entries.Select(e => e.Index));
        slightlyBehind.Step(append);
        Assert.Equal(31, slightlyBehind.LastLogIndex);
        Assert.Equal(2, slightlyBehind.LastLogTerm);
    }

    [Fact]
    public void CompactingWithoutATailForgetsTheLogUpToTheSnapshot()
    {
        var leader = Nodes.New(1, 3, new HardState(1, null), TermOneLog(10));
        Nodes.Elect(leader, 2);
        leader.Step(Nodes.Acked(2, 1, leader.Term, 11));
        leader.TakeReadyCarriedOut();

        leader.Compact(11);

        Assert.Equal(11, leader.SnapshotIndex);
        Assert.Equal(12, leader.FirstLogIndex);
        Assert.Null(leader.TermAt(10));
    }

    [Fact]
    public void OnlyAppliedEntriesCanBeCompacted()
    {
        var leader = Nodes.New(1, 3, new HardState(1, null), TermOneLog(10));
        Nodes.Elect(leader, 2);

        Assert.Throws<ArgumentOutOfRangeException>(() => leader.Compact(5, keepEntries: 2));
        Assert.Equal(0, leader.SnapshotIndex);
        Assert.Equal(1, leader.FirstLogIndex);
    }
}
