using RaftOrleans.Raft;
using Xunit;

namespace RaftOrleans.Tests.Raft;

/// <summary>
/// Figure 7 of the Raft paper: the leader of term 8 repairs each of the followers (a)-(f), whatever they miss
/// or hold in excess, until their logs are identical to its own.
///
/// The bound asserted on AppendEntries round trips: at most one per distinct term of the follower's
/// conflicting entries, plus one if the follower's log is shorter than the leader's (the rejection that tells the
/// leader where the follower's log ends), plus the final round trip that succeeds. A reply carries the
/// conflicting term and where it starts, so the leader skips a whole term per round trip; backing up one entry
/// at a time would cost up to one round trip per entry (follower (f) would need 8 instead of 3). The request that
/// finally succeeds starts right after the last index where the two logs agree, so nothing is re-sent.
/// </summary>
public class LogRepairTests
{
    private static readonly long[] LeaderLog = { 1, 1, 1, 4, 4, 5, 5, 6, 6, 6 };

    public static TheoryData<string, long[]> Followers => new()
    {
        { "a", new long[] { 1, 1, 1, 4, 4, 5, 5, 6, 6 } },
        { "b", new long[] { 1, 1, 1, 4 } },
        { "c", new long[] { 1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6 } },
        { "d", new long[] { 1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7 } },
        { "e", new long[] { 1, 1, 1, 4, 4, 4, 4 } },
        { "f", new long[] { 1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3 } },
    };

    /// <summary>Node 1 becomes leader of term 8 with the figure's log; node 3's vote is fabricated.</summary>
    private static (RaftNode Leader, RaftNode Follower, Wire Wire) Figure7(long[] followerTerms)
    {
        var leader = Nodes.New(1, 3, new HardState(7, null), Nodes.Log(LeaderLog));
        var follower = Nodes.New(2, 3, new HardState(followerTerms.Max(), null), Nodes.Log(followerTerms));
        var wire = new Wire(leader, follower);
        Nodes.TickUntilCandidate(leader);
        wire.Flush(); // the vote request to node 2 is queued; node 2's answer is not needed
        leader.Step(Nodes.Grant(3, 1, 8));
        Assert.Equal((Role.Leader, 8L), (leader.Role, leader.Term));
        return (leader, follower, wire);
    }

    /// <summary>Distinct terms among the follower's entries that disagree with the leader's log.</summary>
    private static int ConflictingTerms(long[] follower, long[] leader) =>
        follower.Where((term, i) => i >= leader.Length || leader[i] != term).Distinct().Count();

    [Theory]
    [MemberData(nameof(Followers))]
    public void LeaderMakesTheFollowersLogIdenticalToItsOwn(string name, long[] followerTerms)
    {
        var (leader, follower, wire) = Figure7(followerTerms);

        wire.DeliverAll();

        var expected = LeaderLog.Append(8).ToArray(); // the leader's no-op of term 8 at index 11
        Assert.Equal(expected, Nodes.Terms(leader));
        Assert.True(expected.SequenceEqual(Nodes.Terms(follower)), $"follower ({name}): {string.Join(",", Nodes.Terms(follower))}");
        Assert.Equal(Nodes.Contents(leader), Nodes.Contents(follower));
        // Storage, fed only by Ready.EntriesToPersist, holds the same log as memory.
        Assert.Equal(Nodes.Contents(follower),
            wire.PersistedLog[2].Select(e => (e.Index, e.Term, Convert.ToHexString(e.Data))).ToArray());
        Assert.Equal(8, follower.Term);
        Assert.Equal(1, follower.LeaderId);
    }

    [Theory]
    [MemberData(nameof(Followers))]
    public void RepairTakesAtMostOneRoundTripPerConflictingTermPlusTwo(string name, long[] followerTerms)
    {
        var (leader, follower, _) = Figure7(followerTerms);
        var roundTrips = 0;

        // Carry AppendEntries one at a time, each answered before the next: one round trip each.
        var toFollower = leader.TakeReadyCarriedOut().Sent<AppendEntries>().Where(m => m.To == 2).ToList();
        var lastPrevIndex = -1L;
        while (!Nodes.Terms(follower).SequenceEqual(Nodes.Terms(leader)))
        {
            Assert.True(roundTrips < 20, $"follower ({name}) not repaired after {roundTrips} round trips");
            Assert.Single(toFollower);
            follower.Step(toFollower[0]);
            lastPrevIndex = toFollower[0].PrevLogIndex;
            roundTrips++;
            foreach (var reply in follower.TakeReadyCarriedOut().Sent<AppendEntriesReply>()) leader.Step(reply);
            toFollower = leader.TakeReadyCarriedOut().Sent<AppendEntries>().Where(m => m.To == 2).ToList();
        }

        var shorter = followerTerms.Length < LeaderLog.Length + 1 ? 1 : 0;
        var bound = ConflictingTerms(followerTerms, LeaderLog.Append(8).ToArray()) + shorter + 1;
        Assert.True(roundTrips <= bound, $"follower ({name}) needed {roundTrips} round trips, bound {bound}");
        // The hints also land the repair exactly where the logs part: no agreeing entry is sent again.
        var agreeing = followerTerms.Zip(LeaderLog).TakeWhile(pair => pair.First == pair.Second).Count();
        Assert.Equal(agreeing, lastPrevIndex);
    }

    [Fact]
    public void AllSixFollowersOfTheFigureConvergeInOneClusterRun()
    {
        // The leader and (a)-(f) as one 7-node cluster with real messages throughout: the leader wins term 8
        // with the votes of (a), (b), (e) and (f) (whose logs are behind its own), repairs everyone, and commits
        // its no-op once a majority holds it.
        var figure = Followers.Select(row => (long[])row[1]).ToArray();
        var leader = new RaftNode(Nodes.Options(1, 7), new HardState(7, null), Nodes.Log(LeaderLog), new Random(1));
        var followers = figure.Select((terms, i) => new RaftNode(
            Nodes.Options(i + 2, 7), new HardState(terms.Max(), null), Nodes.Log(terms), new Random(i + 2))).ToArray();
        var wire = new Wire(followers.Prepend(leader).ToArray());

        Nodes.TickUntilCandidate(leader);
        wire.DeliverAll();
        Assert.Equal((Role.Leader, 8L), (leader.Role, leader.Term));
        leader.Tick(Nodes.Heartbeat); // a heartbeat carries the new commit index to everyone
        wire.DeliverAll();

        Assert.All(followers, f => Assert.Equal(Nodes.Contents(leader), Nodes.Contents(f)));
        Assert.Equal(11, leader.CommitIndex);
        Assert.All(followers, f => Assert.Equal(11, f.CommitIndex));
    }
}
