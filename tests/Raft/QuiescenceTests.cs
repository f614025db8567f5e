using RaftOrleans.Raft;
using Xunit;

namespace RaftOrleans.Tests.Raft;

/// <summary>
/// Quiescence of an idle group: its leader stops heartbeating once every follower holds its whole log, committed, and
/// its followers stop their election timers; any request wakes it; a follower told its leader's silo went silent
/// (<see cref="RaftNode.PeerSilent"/>) campaigns when the rest of its randomized timeout has passed.
/// </summary>
public class QuiescenceTests
{
    private static Wire Group(int size = 3, bool quiesce = true, bool preVote = true) =>
        new(Enumerable.Range(1, size).Select(id => Nodes.New(id, size, seed: id, preVote: preVote, quiesce: quiesce)).ToArray());

    private static RaftNode Quiesced(Wire wire)
    {
        var leader = wire.RunUntilLeader(TimeSpan.FromSeconds(5));
        wire.RunFor(TimeSpan.FromMilliseconds(500));
        Assert.All(wire.All.Values, node => Assert.True(node.Quiesced, $"node {node.Id} ({node.Role}) is not quiesced"));
        return leader;
    }

    [Fact]
    public void AnIdleGroupQuiescesAndThenSendsNothingAndNobodyCampaigns()
    {
        var wire = Group();
        var leader = Quiesced(wire);
        var term = leader.Term;
        var delivered = wire.Delivered;

        wire.RunFor(TimeSpan.FromSeconds(10));

        Assert.Equal(delivered, wire.Delivered);
        Assert.Equal(Role.Leader, leader.Role);
        Assert.All(wire.All.Values, node => Assert.Equal(term, node.Term));
        Assert.All(wire.All.Values, node => Assert.Equal(TimeSpan.MaxValue, node.UntilNextTimer));
    }

    [Fact]
    public void WithQuiescenceOffTheLeaderHeartbeatsForever()
    {
        var wire = Group(quiesce: false);
        wire.RunUntilLeader(TimeSpan.FromSeconds(5));
        wire.RunFor(TimeSpan.FromMilliseconds(500));
        var delivered = wire.Delivered;
        wire.RunFor(TimeSpan.FromSeconds(1));
        Assert.True(wire.Delivered - delivered >= 2 * 2 * (TimeSpan.FromSeconds(1) / Nodes.Heartbeat) - 4);
        Assert.All(wire.All.Values, node => Assert.False(node.Quiesced));
    }

    [Fact]
    public void AProposalWakesTheGroupCommitsEverywhereAndTheGroupQuiescesAgain()
    {
        var wire = Group();
        var leader = Quiesced(wire);

        var proposal = leader.Propose([1, 2, 3]);
        Assert.True(proposal.Accepted);
        Assert.False(leader.Quiesced);
        wire.DeliverAll();
        Assert.All(wire.All.Values, node => Assert.False(node.Quiesced));
        wire.RunFor(TimeSpan.FromMilliseconds(500));

        Assert.All(wire.All.Values, node => Assert.Equal(proposal.Index, node.CommitIndex));
        Assert.All(wire.All.Values, node => Assert.True(node.Quiesced));
    }

    [Fact]
    public void AReadWakesTheLeaderAndIsConfirmedByAHeartbeatRound()
    {
        var wire = Group();
        var leader = Quiesced(wire);

        Assert.True(leader.ReadIndex(7));
        Assert.False(leader.Quiesced);
        var ready = leader.TakeReady();
        Assert.Equal(2, ready.Sent<AppendEntries>().Count(a => a.QuiesceRound == 0));
        foreach (var append in ready.Messages.OfType<AppendEntries>())
        {
            var follower = wire[append.To];
            follower.Step(append);
            Assert.False(follower.Quiesced);
            foreach (var reply in follower.TakeReady().Replies) leader.Step(reply);
        }
        Assert.Contains(leader.TakeReady().ReadStates, read => read.RequestId == 7);
    }

    [Fact]
    public void FollowersToldTheirLeaderIsSilentElectANewOne()
    {
        var wire = Group();
        var leader = Quiesced(wire);
        var term = leader.Term;
        wire.Cut.Add(leader.Id); // its silo died: it neither sends nor hears

        foreach (var follower in wire.All.Values.Where(n => n != leader))
            follower.PeerSilent(term, leader.Id, Nodes.ElectionMin);
        var elected = wire.RunUntilLeader(TimeSpan.FromSeconds(2));

        Assert.NotEqual(leader.Id, elected.Id);
        Assert.True(elected.Term > term);
    }

    [Fact]
    public void FollowersToldOfTheSilenceAtOneMomentDoNotAllCampaignAtOnce()
    {
        // Silos notice a dead leader at their beats, all about one minimum election timeout after its last: the
        // followers hear of it at nearly one moment, each long past its own randomized timeout.
        var wire = Group(size: 5);
        var leader = Quiesced(wire);
        var term = leader.Term;
        wire.Cut.Add(leader.Id);
        var followers = wire.All.Values.Where(n => n != leader).ToArray();

        foreach (var follower in followers) follower.PeerSilent(term, leader.Id, Nodes.ElectionMax);

        // Nobody campaigns on the report itself: each waits out the rest of its randomized timeout, so one goes first.
        Assert.All(followers, f => Assert.True(f.Role == Role.Follower && f.Term == term, $"node {f.Id}: {f.Role} in term {f.Term}"));
        var elected = wire.RunUntilLeader(TimeSpan.FromSeconds(2));
        Assert.Equal(term + 1, elected.Term); // one election: the votes did not split
    }

    [Fact]
    public void AStaleReportOfSilenceChangesNothing()
    {
        var wire = Group();
        var leader = Quiesced(wire);
        var follower = wire.All.Values.First(n => n != leader);

        follower.PeerSilent(leader.Term - 1, leader.Id, TimeSpan.FromSeconds(1)); // an older term
        follower.PeerSilent(leader.Term, follower.Id, TimeSpan.FromSeconds(1)); // not its leader
        wire.RunFor(TimeSpan.FromSeconds(2));

        Assert.True(follower.Quiesced);
        Assert.Equal(leader.Term, follower.Term);
    }

    [Fact]
    public void OneFollowerToldOfSilenceIsRefusedByTheOthersWhileTheLeaderStillBeats()
    {
        // Pre-vote: the other follower is still quiesced under a leader whose silo beats, so it refuses; the leader
        // wakes at the request and heartbeats again, and the lone follower rejoins without a new term.
        var wire = Group();
        var leader = Quiesced(wire);
        var term = leader.Term;
        var lone = wire.All.Values.First(n => n != leader);

        lone.PeerSilent(term, leader.Id, TimeSpan.FromSeconds(1));
        wire.RunFor(TimeSpan.FromSeconds(2));

        Assert.Equal(Role.Leader, leader.Role);
        Assert.All(wire.All.Values, node => Assert.Equal(term, node.Term));
        Assert.All(wire.All.Values, node => Assert.True(node.Quiesced));
    }

    [Fact]
    public void AFollowerThatRestartsWakesTheQuiescedLeaderAndCatchesUp()
    {
        var wire = Group();
        var leader = Quiesced(wire);
        var follower = wire.All.Values.First(n => n != leader);
        // A restart: the node comes back from its disk, not quiesced, knowing no leader.
        var restarted = new RaftNode(Nodes.Options(follower.Id, 3, preVote: true, quiesce: true),
            new HardState(follower.Term, follower.VotedFor), wire.PersistedLog[follower.Id], new Random(9));
        wire.All[follower.Id] = restarted;

        wire.RunFor(TimeSpan.FromSeconds(2));

        Assert.Equal(Role.Leader, leader.Role);
        Assert.Equal(leader.Id, restarted.LeaderId);
        Assert.Equal(leader.CommitIndex, restarted.CommitIndex);
        Assert.All(wire.All.Values, node => Assert.True(node.Quiesced));
    }

    [Fact]
    public void ALeaderWithAFollowerDownNeverQuiesces()
    {
        var wire = Group();
        var leader = wire.RunUntilLeader(TimeSpan.FromSeconds(5));
        wire.Cut.Add(wire.All.Values.First(n => n != leader).Id);
        wire.RunFor(TimeSpan.FromSeconds(2));
        Assert.False(leader.Quiesced);
        Assert.Equal(Role.Leader, leader.Role);
        Assert.NotEqual(TimeSpan.MaxValue, leader.UntilNextTimer);
    }

    [Fact]
    public void AQuiescedLeaderHandsLeadershipOverToAFollowerThatQuiesced()
    {
        var wire = Group();
        var leader = Quiesced(wire);
        var target = wire.All.Values.First(n => n != leader);

        var result = leader.TransferLeadership(target.Id);
        Assert.True(result.Started, result.ToString());
        wire.RunUntilLeader(TimeSpan.FromSeconds(1));
        wire.RunFor(TimeSpan.FromMilliseconds(500));

        Assert.Equal(Role.Leader, target.Role);
        Assert.All(wire.All.Values, node => Assert.True(node.Quiesced));
    }

    [Fact]
    public void AGroupOfOneQuiescesToo()
    {
        var wire = Group(size: 1);
        var leader = Quiesced(wire);
        Assert.Equal(TimeSpan.MaxValue, leader.UntilNextTimer);
        Assert.True(leader.Propose([9]).Accepted);
        Assert.False(leader.Quiesced);
        wire.RunFor(TimeSpan.FromMilliseconds(200));
        Assert.True(leader.Quiesced);
    }

    [Fact]
    public void AQuiescedLeaderToldAFollowerIsSilentWakesAndStepsDownWhenCutOffFromItsMajority()
    {
        var wire = Group();
        var leader = Quiesced(wire);
        var follower = wire.All.Values.First(n => n != leader);
        wire.Cut.Add(leader.Id);

        leader.PeerSilent(leader.Term - 1, follower.Id, Nodes.ElectionMin); // stale: nothing
        Assert.True(leader.Quiesced);
        leader.PeerSilent(leader.Term, follower.Id, Nodes.ElectionMin);
        Assert.False(leader.Quiesced);
        Assert.Equal(TimeSpan.Zero, leader.UntilNextTimer); // a heartbeat round at once
        wire.RunFor(Nodes.ElectionMin + Nodes.Step);

        Assert.NotEqual(Role.Leader, leader.Role); // check-quorum, one election timeout after waking, found no majority
    }

    [Fact]
    public void ALateAnswerToAnEarlierQuiescingRoundDoesNotQuiesceTheLeader()
    {
        // Round r goes out; before the answers come back, a proposal wakes the followers. The answer to the proposal
        // arrives first, the late answer to round r after it: the leader must not take it for a follower still quiesced.
        var wire = Group();
        var leader = wire.RunUntilLeader(TimeSpan.FromSeconds(5));
        wire.RunFor(TimeSpan.FromMilliseconds(20));
        var followers = wire.All.Values.Where(n => n != leader).ToArray();
        Ready? round = null;
        for (var t = 0; t < 200 && round is null; t++)
        {
            leader.Tick(Nodes.Step);
            var ready = leader.TakeReadyCarriedOut();
            if (ready.Sent<AppendEntries>().Any(a => a.QuiesceRound > 0)) round = ready;
        }
        Assert.NotNull(round);
        var lateAnswers = new List<RaftMessage>();
        foreach (var append in round!.Sent<AppendEntries>())
        {
            var follower = wire[append.To];
            follower.Step(append);
            lateAnswers.AddRange(follower.TakeReadyCarriedOut().Replies);
        }
        Assert.All(followers, f => Assert.True(f.Quiesced));

        var proposal = leader.Propose([4, 2]);
        foreach (var append in leader.TakeReadyCarriedOut().Sent<AppendEntries>())
        {
            var follower = wire[append.To];
            follower.Step(append);
            Assert.False(follower.Quiesced);
            foreach (var reply in follower.TakeReadyCarriedOut().Replies) leader.Step(reply);
        }
        leader.TakeReadyCarriedOut(); // the leader commits the proposal: everything else would let it quiesce
        Assert.Equal(proposal.Index, leader.CommitIndex);
        foreach (var answer in lateAnswers) leader.Step(answer);

        Assert.False(leader.Quiesced);
    }
}
