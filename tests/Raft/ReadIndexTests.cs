using RaftOrleans.Raft;
using Xunit;

namespace RaftOrleans.Tests.Raft;

/// <summary>
/// ReadIndex (section 6.4 of Ongaro's thesis): a read is answered without entering the log, once the leader
/// has proved it still leads with a heartbeat round started after the read arrived and echoed by a majority,
/// and has applied everything that was committed when the read arrived.
/// </summary>
public class ReadIndexTests
{
    /// <summary>Node 1 leads term 2 of a <paramref name="size"/>-node cluster with its no-op (index 1) committed; its Readies are drained.</summary>
    private static RaftNode CommittedLeader(int size)
    {
        var leader = Nodes.New(1, size, new HardState(1, null));
        var majority = Enumerable.Range(2, size / 2).ToArray();
        Nodes.Elect(leader, majority);
        foreach (var peer in majority) leader.Step(Nodes.Acked(peer, 1, leader.Term, 1));
        leader.TakeReadyCarriedOut();
        Assert.Equal(1, leader.CommitIndex);
        return leader;
    }

    /// <summary>A follower's successful answer to <paramref name="append"/>, echoing its read round.</summary>
    private static AppendEntriesReply Echo(AppendEntries append) =>
        Nodes.Acked(append.To, append.From, append.Term, append.PrevLogIndex + append.Entries.Length) with { ReadRound = append.ReadRound };

    private static AppendEntriesReply EchoRound(int from, RaftNode leader, long round) =>
        Nodes.Acked(from, leader.Id, leader.Term, leader.LastLogIndex) with { ReadRound = round };

    [Fact]
    public void FollowersAndCandidatesRefuseReads()
    {
        var follower = Nodes.New(1, 3);
        Assert.False(follower.ReadIndex(1));

        Nodes.TickUntilCandidate(follower);
        Assert.Equal(Role.Candidate, follower.Role);
        Assert.False(follower.ReadIndex(2));

        var ready = follower.TakeReadyCarriedOut();
        Assert.Empty(ready.ReadStates);
        Assert.Empty(ready.FailedReads);
    }

    [Fact]
    public void LeaderAnswersOnlyOnceAMajorityEchoedARoundStartedAfterTheRead()
    {
        var leader = CommittedLeader(3);

        Assert.True(leader.ReadIndex(7));
        var ready = leader.TakeReadyCarriedOut();
        Assert.Empty(ready.ReadStates);
        var heartbeats = ready.Sent<AppendEntries>().ToArray();
        Assert.Equal(new[] { 2, 3 }, heartbeats.Select(h => h.To).Order());
        var round = heartbeats[0].ReadRound;
        Assert.True(round > 0);
        Assert.All(heartbeats, h => Assert.Equal(round, h.ReadRound));

        // Time passes without an echo: still nothing.
        for (var i = 0; i < 20; i++) leader.Tick(Nodes.Step);
        Assert.Empty(leader.TakeReadyCarriedOut().ReadStates);

        // One follower's echo plus the leader itself is a majority of three.
        leader.Step(Echo(heartbeats.First(h => h.To == 2)));
        var answered = leader.TakeReadyCarriedOut();
        Assert.Equal(new[] { new ReadState(7, 1) }, answered.ReadStates);
        Assert.Empty(answered.FailedReads);

        // Answered once: the other echo releases nothing more.
        leader.Step(Echo(heartbeats.First(h => h.To == 3)));
        Assert.Empty(leader.TakeReadyCarriedOut().ReadStates);
    }

    [Fact]
    public void ALeaderCutOffFromTheMajorityNeverConfirmsAndFailsTheReadWhenItStepsDown()
    {
        // Five nodes: the leader and node 2 are on the minority side and keep talking; 3, 4 and 5 are gone.
        var leader = CommittedLeader(5);
        Assert.True(leader.ReadIndex(42));

        var failed = new List<long>();
        var elapsed = TimeSpan.Zero;
        while (leader.Role == Role.Leader)
        {
            Assert.True(elapsed < TimeSpan.FromSeconds(2), "the cut-off leader never stepped down");
            leader.Tick(Nodes.Step);
            elapsed += Nodes.Step;
            var ready = leader.TakeReadyCarriedOut();
            Assert.Empty(ready.ReadStates);
            failed.AddRange(ready.FailedReads);
            foreach (var append in ready.Sent<AppendEntries>().Where(a => a.To == 2).ToArray()) leader.Step(Echo(append));
        }
        var last = leader.TakeReadyCarriedOut();
        Assert.Empty(last.ReadStates);
        failed.AddRange(last.FailedReads);

        Assert.Equal(new long[] { 42 }, failed);
        Assert.False(leader.ReadIndex(43));
    }

    [Fact]
    public void ALeaderDeposedByANewerTermFailsItsWaitingReads()
    {
        var leader = CommittedLeader(3);
        Assert.True(leader.ReadIndex(1));
        var heartbeats = leader.TakeReadyCarriedOut().Sent<AppendEntries>().ToArray();
        Assert.True(leader.ReadIndex(2)); // not yet given a round

        leader.Step(Nodes.Append(3, 1, leader.Term + 1, prevIndex: 1, prevTerm: 2, leaderCommit: 1));
        var ready = leader.TakeReadyCarriedOut();

        Assert.Equal(Role.Follower, leader.Role);
        Assert.Equal(new long[] { 1, 2 }, ready.FailedReads.Order());
        Assert.Empty(ready.ReadStates);

        // A late echo of the old term's round changes nothing.
        leader.Step(Echo(heartbeats[0]));
        var after = leader.TakeReadyCarriedOut();
        Assert.Empty(after.ReadStates);
        Assert.Empty(after.FailedReads);
    }

    [Fact]
    public void ANewLeaderConfirmsNoReadBeforeItsNoOpIsCommitted()
    {
        // Node 1 holds two entries of term 1 that may or may not be committed; it wins term 2.
        var leader = Nodes.New(1, 3, new HardState(1, null), Nodes.Log(1, 1));
        Nodes.Elect(leader, 2);
        Assert.Equal(3, leader.LastLogIndex); // the no-op
        Assert.True(leader.ReadIndex(5));

        var ready = leader.TakeReadyCarriedOut();
        Assert.Empty(ready.ReadStates);
        Assert.All(ready.Sent<AppendEntries>(), a => Assert.Equal(0, a.ReadRound)); // no round started yet

        // Followers echo everything they can and acknowledge the old entries: still not one of this term.
        leader.Step(EchoRound(2, leader, 0) with { MatchIndex = 2 });
        leader.Step(EchoRound(3, leader, 0) with { MatchIndex = 2 });
        Assert.Equal(0, leader.CommitIndex);
        ready = leader.TakeReadyCarriedOut();
        Assert.Empty(ready.ReadStates);
        Assert.All(ready.Sent<AppendEntries>(), a => Assert.Equal(0, a.ReadRound));

        // Once the no-op commits, the round starts, at the no-op's index.
        leader.Step(Nodes.Acked(2, 1, leader.Term, 3));
        Assert.Equal(3, leader.CommitIndex);
        ready = leader.TakeReadyCarriedOut();
        Assert.Empty(ready.ReadStates);
        Assert.Equal(new long[] { 1, 2, 3 }, ready.CommittedEntries.Select(e => e.Index));
        var heartbeats = ready.Sent<AppendEntries>().Where(a => a.ReadRound > 0).ToArray();
        Assert.Equal(new[] { 2, 3 }, heartbeats.Select(h => h.To).Order());

        leader.Step(Echo(heartbeats[0]));
        Assert.Equal(new[] { new ReadState(5, 3) }, leader.TakeReadyCarriedOut().ReadStates);
    }

    [Fact]
    public void TheReadIndexIsTheCommitIndexAtArrivalAndTheReadWaitsUntilItIsApplied()
    {
        var leader = CommittedLeader(3);
        var appended = leader.Propose(new byte[] { 9 });
        var appends = leader.TakeReadyCarriedOut().Sent<AppendEntries>().ToArray();

        // The entry commits (the follower's answer is stepped) but is not yet handed out: LastApplied lags.
        leader.Step(Echo(appends.First(a => a.To == 2)));
        Assert.Equal(appended.Index, leader.CommitIndex);
        Assert.True(leader.LastApplied < leader.CommitIndex);

        Assert.True(leader.ReadIndex(1)); // arrives with commit index 2, applied 1
        var ready = leader.TakeReadyCarriedOut();
        Assert.Equal(new[] { appended.Index }, ready.CommittedEntries.Select(e => e.Index));
        Assert.Empty(ready.ReadStates);
        var heartbeats = ready.Sent<AppendEntries>().Where(a => a.ReadRound > 0).ToArray();

        // A later write commits before the round is confirmed: the read still points at its arrival's index.
        var later = leader.Propose(new byte[] { 10 });
        var more = leader.TakeReadyCarriedOut().Sent<AppendEntries>().First(a => a.To == 2 && a.Entries.Length > 0);
        leader.Step(Echo(more));
        leader.Step(Echo(heartbeats.First(h => h.To == 2)));
        ready = leader.TakeReadyCarriedOut();
        var read = Assert.Single(ready.ReadStates);
        Assert.Equal(new ReadState(1, appended.Index), read);
        Assert.Equal(new[] { later.Index }, ready.CommittedEntries.Select(e => e.Index));
        Assert.True(leader.LastApplied >= read.ReadIndex);
    }

    [Fact]
    public void AReadIsNeverReleasedBeforeItsIndexIsHandedOut()
    {
        // Drive a three-node cluster for real and check every released read against what was handed out.
        var wire = new Wire(Nodes.New(1, 3, seed: 1), Nodes.New(2, 3, seed: 2), Nodes.New(3, 3, seed: 3));
        var leader = wire.RunUntilLeader(TimeSpan.FromSeconds(2));
        var handedOut = leader.LastApplied;
        var released = 0;
        for (var i = 1; i <= 50; i++)
        {
            leader.Propose(new byte[] { (byte)i });
            Assert.True(leader.ReadIndex(i));
            leader.Tick(Nodes.Step);
            var ready = leader.TakeReadyCarriedOut();
            handedOut = ready.CommittedEntries.Count > 0 ? ready.CommittedEntries[^1].Index : handedOut;
            foreach (var read in ready.ReadStates)
            {
                Assert.True(read.ReadIndex <= handedOut, $"read {read.RequestId} at {read.ReadIndex} released with {handedOut} handed out");
                released++;
            }
            foreach (var message in ready.Messages)
            {
                var follower = wire[message.To];
                follower.Step(message);
                foreach (var answer in follower.TakeReadyCarriedOut().Replies) leader.Step(answer);
            }
        }
        Assert.True(released > 0);
    }

    [Fact]
    public void ReadsWaitingTogetherShareOneHeartbeatRound()
    {
        var leader = CommittedLeader(5);
        for (long id = 1; id <= 10; id++) Assert.True(leader.ReadIndex(id));

        var ready = leader.TakeReadyCarriedOut();
        var heartbeats = ready.Sent<AppendEntries>().ToArray();
        Assert.Equal(4, heartbeats.Length); // one per follower, not one per read
        Assert.Single(heartbeats.Select(h => h.ReadRound).Distinct());

        leader.Step(Echo(heartbeats[0]));
        Assert.Empty(leader.TakeReadyCarriedOut().ReadStates); // two of five is no majority
        leader.Step(Echo(heartbeats[1]));
        ready = leader.TakeReadyCarriedOut();
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), ready.ReadStates.Select(r => r.RequestId).Order());
        Assert.All(ready.ReadStates, r => Assert.Equal(1, r.ReadIndex));
        Assert.Empty(ready.Messages); // confirming sent nothing more
    }

    [Fact]
    public void ASingleNodeClusterAnswersAtOnce()
    {
        var node = Nodes.New(1, 1);
        Nodes.TickUntilCandidate(node);
        Assert.Equal(Role.Leader, node.Role);
        node.TakeReadyCarriedOut();

        Assert.True(node.ReadIndex(3));
        var ready = node.TakeReadyCarriedOut();

        Assert.Equal(new[] { new ReadState(3, node.CommitIndex) }, ready.ReadStates);
        Assert.Empty(ready.Messages);
    }

    [Fact]
    public void AnEchoOfAnOlderRoundDoesNotConfirmANewerRead()
    {
        var leader = CommittedLeader(3);

        Assert.True(leader.ReadIndex(1));
        var first = leader.TakeReadyCarriedOut().Sent<AppendEntries>().ToArray();
        Assert.True(leader.ReadIndex(2));
        var second = leader.TakeReadyCarriedOut().Sent<AppendEntries>().ToArray();
        Assert.True(second[0].ReadRound > first[0].ReadRound);

        // Both followers echo the first round (late, duplicated): read 1 is confirmed, read 2 is not.
        leader.Step(Echo(first[0]));
        leader.Step(Echo(first[1]));
        leader.Step(Echo(first[0]));
        Assert.Equal(new[] { new ReadState(1, 1) }, leader.TakeReadyCarriedOut().ReadStates);
        Assert.Empty(leader.TakeReadyCarriedOut().ReadStates);

        // A rejection counts as an echo too (the follower still takes this node for its leader), but only of its own round.
        leader.Step(new AppendEntriesReply
        {
            From = 2, To = 1, Term = leader.Term, Success = false, MatchIndex = 0, RejectedPrevIndex = 0,
            ConflictTerm = 0, ConflictIndex = 0, ReadRound = second[0].ReadRound,
        });
        Assert.Equal(new[] { new ReadState(2, 1) }, leader.TakeReadyCarriedOut().ReadStates);
    }
}
