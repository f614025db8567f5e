using RaftOrleans.Raft;
using Xunit;

namespace RaftOrleans.Tests.Raft;

/// <summary>
/// Membership changes, one node at a time (thesis chapter 4): a learner catches up without counting, is promoted only
/// when close to the leader's log; a configuration takes effect when appended (and is dropped with a replaced suffix),
/// travels in snapshots, survives restarts; one change at a time; a removed leader steps down once its removal commits.
/// </summary>
public class MembershipTests
{
    private static readonly MembershipChange AddLearner4 = new(MembershipChangeKind.AddLearner, 4);
    private static readonly MembershipChange Promote4 = new(MembershipChangeKind.Promote, 4);

    [Fact]
    public void AConfigurationSurvivesItsEncoding()
    {
        var config = new ClusterConfig([3, 1, 2], [7], index: 42);
        var decoded = ClusterConfig.Decode(config.Encode());
        Assert.True(decoded.SameAs(config));
        Assert.Equal(42, decoded.Index);
        Assert.Equal([1, 2, 3], decoded.Voters);
        Assert.Equal(2, decoded.Quorum);
        Assert.Throws<FormatException>(() => ClusterConfig.Decode(config.Encode()[..^1]));
        Assert.Throws<FormatException>(() => ClusterConfig.Decode([9, 0, 0, 0, 0, 0, 0, 0, 0]));
    }

    [Fact]
    public void ChangesThatDoNotFitTheConfigurationAreRefusedWithAReason()
    {
        var config = new ClusterConfig([1, 2, 3], [4]);
        Assert.Equal("node 2 is a voter already", config.Apply(new(MembershipChangeKind.AddLearner, 2)).Refusal);
        Assert.Equal("node 4 is a learner already (promote it when it has caught up)", config.Apply(AddLearner4).Refusal);
        Assert.Equal("node 5 is not a learner: add it first (member add 5)", config.Apply(new(MembershipChangeKind.Promote, 5)).Refusal);
        Assert.Equal("node 9 is not a member (voters 1,2,3; learners 4)", config.Apply(new(MembershipChangeKind.Remove, 9)).Refusal);
        Assert.Equal("node 1 is the last voter; a cluster needs one",
            ClusterConfig.Bootstrap([1]).Apply(new(MembershipChangeKind.Remove, 1)).Refusal);
        Assert.Equal("voters 1,2,3,4", config.Apply(Promote4).Next!.ToString());
        Assert.Equal("voters 1,3; learners 4", config.Apply(new(MembershipChangeKind.Remove, 2)).Next!.ToString());
    }

    [Fact]
    public void ALearnerCatchesUpButItsCopyNeverCommits()
    {
        var wire = ThreeNodes(out var leader);
        wire.Join(Nodes.New(4, 3, seed: 4));
        var added = leader.ChangeMembership(AddLearner4);
        Assert.True(added.Accepted);
        Assert.Equal("voters 1,2,3; learners 4", leader.Configuration.ToString()); // in force when appended
        wire.DeliverAll();

        var learner = wire[4];
        Assert.Equal(leader.LastLogIndex, learner.LastLogIndex);
        Assert.Equal(added.Index, learner.ConfigurationIndex);
        Assert.True(leader.CommitIndex >= added.Index);

        // With both other voters cut off, the leader and the learner alone hold the entry: not a majority of voters.
        foreach (var id in wire.All.Keys.Where(id => id != leader.Id && id != 4)) wire.Cut.Add(id);
        var proposal = leader.Propose([42]);
        wire.DeliverAll();
        Assert.Equal(proposal.Index, learner.LastLogIndex);
        Assert.True(leader.CommitIndex < proposal.Index);

        // A learner never campaigns, however long it hears nothing.
        wire.Cut.Add(leader.Id);
        for (var i = 0; i < 20; i++) learner.Tick(Nodes.ElectionMax);
        Assert.Equal(Role.Follower, learner.Role);
    }

    [Fact]
    public void APromotedLearnerCountsAndTheQuorumGrows()
    {
        var wire = ThreeNodes(out var leader);
        wire.Join(Nodes.New(4, 3, seed: 4));
        leader.ChangeMembership(AddLearner4);
        wire.DeliverAll();
        Assert.True(leader.ChangeMembership(Promote4).Accepted);
        wire.DeliverAll();
        Assert.Equal("voters 1,2,3,4", wire[2].Configuration.ToString());

        // Four voters: a majority is three, so the leader and one other are not enough any more.
        var others = wire.All.Keys.Where(id => id != leader.Id).ToArray();
        wire.Cut.Add(others[0]);
        wire.Cut.Add(others[1]);
        var proposal = leader.Propose([42]);
        wire.DeliverAll();
        Assert.True(leader.CommitIndex < proposal.Index);
        wire.Cut.Remove(others[1]);
        wire.RunFor(Nodes.ElectionMax * 2); // what was lost on the way is sent again
        Assert.True(leader.CommitIndex >= proposal.Index);
    }

    [Fact]
    public void ALearnerIsPromotedOnlyOnceItHasAnsweredAndCaughtUp()
    {
        var wire = ThreeNodes(out var leader, promotionMaxLag: 5);
        var learner = Nodes.New(4, 3, seed: 4);
        wire.Join(learner);
        wire.Cut.Add(4);
        leader.ChangeMembership(AddLearner4);
        wire.DeliverAll();
        Assert.Equal($"node 4 has not answered leader {leader.Id} yet (is its silo up?); promote it once it has caught up",
            leader.ChangeMembership(Promote4).Reason);

        wire.Cut.Remove(4);
        wire.RunFor(Nodes.Heartbeat * 2); // it answers and catches up
        wire.Cut.Add(4);
        for (var i = 0; i < 6; i++) leader.Propose([(byte)i]);
        wire.DeliverAll();
        var behind = leader.ChangeMembership(Promote4);
        Assert.Equal($"node 4 is 6 entries behind the leader's log (at most 5 to be promoted); wait for it to catch up (see `client member list`)",
            behind.Reason);
        Assert.False(behind.TryAgain); // catching up may take long: the operator watches `member list`, the client does not wait
        Assert.True(leader.Configuration.IsLearner(4));

        wire.Cut.Remove(4);
        wire.RunFor(Nodes.ElectionMax * 2); // what was lost on the way is sent again
        Assert.True(leader.ChangeMembership(Promote4).Accepted);
    }

    [Fact]
    public void OneChangeAtATime()
    {
        var wire = ThreeNodes(out var leader);
        wire.Join(Nodes.New(4, 3, seed: 4));
        foreach (var id in wire.All.Keys.Where(id => id != leader.Id)) wire.Cut.Add(id);
        var first = leader.ChangeMembership(AddLearner4);
        Assert.True(first.Accepted);
        var second = leader.ChangeMembership(new MembershipChange(MembershipChangeKind.Remove, 3));
        Assert.False(second.Accepted);
        Assert.Equal($"the previous change (index {first.Index}: voters 1,2,3; learners 4) is not committed yet; one change at a time, try again once it is",
            second.Reason);
        Assert.True(second.TryAgain); // a client may ask again by itself: the change is fine, the moment is not
        Assert.Equal(first.Index, leader.ConfigurationIndex);

        wire.Cut.Clear();
        wire.RunFor(Nodes.Heartbeat * 2);
        Assert.True(leader.ChangeMembership(new MembershipChange(MembershipChangeKind.Remove, 3)).Accepted);
    }

    [Fact]
    public void ANewLeaderTakesNoChangeBeforeItCommitsAnEntryOfItsTerm()
    {
        var leader = Nodes.New(1, 3);
        Nodes.Elect(leader, 2); // its no-op is appended, not yet committed
        var refused = leader.ChangeMembership(AddLearner4);
        Assert.Equal($"node 1 was just elected and has not committed an entry of its term {leader.Term} yet; try again in a moment", refused.Reason);
        Assert.True(refused.TryAgain);
        Assert.Equal(MembershipStatus.NotLeader, Nodes.New(2, 3).ChangeMembership(AddLearner4).Status);
    }

    [Fact]
    public void ARemovedLeaderStepsDownOnceItsRemovalCommitsAndAnotherLeads()
    {
        var wire = ThreeNodes(out var leader);
        var term = leader.Term;
        var removal = leader.ChangeMembership(new MembershipChange(MembershipChangeKind.Remove, leader.Id));
        Assert.True(removal.Accepted);
        Assert.Equal(Role.Leader, leader.Role); // it leads until the change commits, without counting itself
        wire.DeliverAll();

        Assert.Equal(Role.Follower, leader.Role);
        // No time has passed: the successor was told to campaign at once (TimeoutNow), it did not wait for a timeout.
        var successor = Assert.Single(wire.All.Values, n => n.Role == Role.Leader);
        Assert.NotEqual(leader.Id, successor.Id);
        Assert.Equal(term + 1, successor.Term);
        Assert.False(successor.Configuration.Contains(leader.Id));

        // The removed node hears no more and never campaigns; the two left commit alone.
        wire.RunFor(Nodes.ElectionMax * 3);
        Assert.Equal(Role.Follower, leader.Role);
        var proposal = successor.Propose([9]);
        wire.DeliverAll();
        Assert.True(successor.CommitIndex >= proposal.Index);
        Assert.All(wire.LeadersByTerm.Values, leaders => Assert.Single(leaders));
    }

    [Fact]
    public void ARemovedFollowerReceivesItsRemovalAndStopsCampaigning()
    {
        var wire = ThreeNodes(out var leader);
        var removed = wire.All.Keys.First(id => id != leader.Id);
        var change = leader.ChangeMembership(new MembershipChange(MembershipChangeKind.Remove, removed));
        wire.DeliverAll();

        Assert.True(leader.CommitIndex >= change.Index);
        Assert.Equal(change.Index, wire[removed].ConfigurationIndex); // it got the entry that removes it
        Assert.False(leader.Followers.ContainsKey(removed)); // and, once committed, nothing more
        // Cut off from the others, it never campaigns: it is no voter in its own eyes.
        wire.Cut.Add(removed);
        for (var i = 0; i < 20; i++) wire[removed].Tick(Nodes.ElectionMax);
        Assert.Equal(Role.Follower, wire[removed].Role);
    }

    [Fact]
    public void AChangeThatLeavesTooFewAnsweringVotersIsRefused()
    {
        var wire = ThreeNodes(out var leader);
        var (other, dead) = (wire.All.Keys.Where(id => id != leader.Id).Min(), wire.All.Keys.Where(id => id != leader.Id).Max());
        wire.Cut.Add(dead);
        wire.RunFor(Nodes.ElectionMax * 2); // the leader stops hearing from it (check-quorum keeps it: two of three answer)
        Assert.Equal(Role.Leader, leader.Role);

        // Voters {leader, dead} could commit nothing: refused. Removing the dead one is the way.
        var refused = leader.ChangeMembership(new MembershipChange(MembershipChangeKind.Remove, other));
        Assert.Equal(MembershipStatus.Refused, refused.Status);
        Assert.StartsWith($"the new configuration (voters {string.Join(",", new[] { leader.Id, dead }.Order())}) needs 2 voters answering", refused.Reason);
        Assert.False(refused.TryAgain);
        Assert.True(leader.ChangeMembership(new MembershipChange(MembershipChangeKind.Remove, dead)).Accepted);
        wire.RunFor(Nodes.Heartbeat * 2);
        Assert.Equal([leader.Id, other], leader.Configuration.Voters.Order().ToArray());
        Assert.True(leader.CommitIndex >= leader.ConfigurationIndex);
    }

    [Fact]
    public void AConfigurationInTheTailKeptAfterASnapshotIsStillKnownAndSentRightly()
    {
        var wire = ThreeNodes(out var leader);
        leader.Propose([1]);
        wire.DeliverAll();
        var added = leader.ChangeMembership(AddLearner4);
        wire.DeliverAll();
        leader.Propose([2]);
        wire.DeliverAll();

        // The snapshot is after the change, but its entry stays in the tail kept for followers a little behind.
        leader.Compact(leader.LastApplied, keepEntries: leader.LastApplied - added.Index + 1);
        Assert.True(leader.FirstLogIndex <= added.Index);
        Assert.Equal(added.Index, leader.ConfigurationIndex);
        Assert.Equal("voters 1,2,3; learners 4", leader.ConfigurationAt(leader.SnapshotIndex).ToString());
        Assert.Equal("voters 1,2,3", leader.ConfigurationAt(added.Index - 1).ToString());

        // Compacted past it: the configuration is the log's base now, and still knows where it was made.
        leader.Compact(leader.LastApplied);
        Assert.Equal(added.Index, leader.ConfigurationIndex);
    }

    [Fact]
    public void ASnapshotOnALogThatAgreesKeepsTheConfigurationsAfterIt()
    {
        var follower = Nodes.New(2, 3);
        var learner = new ClusterConfig([1, 2, 3], [4], index: 3);
        var promoted = new ClusterConfig([1, 2, 3, 4], [], index: 5);
        follower.Step(Nodes.Append(1, 2, 1, 0, 0,
            [Nodes.Entry(1, 1), Nodes.Entry(2, 1), LogEntry.Configuration(3, 1, learner), Nodes.Entry(4, 1), LogEntry.Configuration(5, 1, promoted)],
            leaderCommit: 1));

        follower.Step(new InstallSnapshot
        {
            From = 1, To = 2, Term = 1, LastIncludedIndex = 4, LastIncludedTerm = 1, Config = learner,
            Offset = 0, Data = [], Done = true,
        });

        Assert.Equal(5, follower.LastLogIndex); // the log agreed at 4: the entry after it stays
        Assert.True(follower.Configuration.SameAs(promoted));
        Assert.True(follower.ConfigurationAt(4).SameAs(learner));
    }

    [Fact]
    public void AFollowerUsesAConfigurationWhenAppendedAndDropsItWithAReplacedSuffix()
    {
        var follower = Nodes.New(2, 3);
        var config = new ClusterConfig([1, 2, 3], [4], index: 2);
        follower.Step(Nodes.Append(1, 2, 1, 0, 0, [Nodes.Entry(1, 1), LogEntry.Configuration(2, 1, config)], leaderCommit: 1));
        Assert.True(follower.Configuration.SameAs(config));
        Assert.Equal(2, follower.ConfigurationIndex);

        // A leader of term 2 never had it: its entry 2 replaces the uncommitted change, and the bootstrap one is back.
        follower.Step(Nodes.Append(3, 2, 2, 1, 1, [Nodes.Entry(2, 2)], leaderCommit: 1));
        Assert.Equal("voters 1,2,3", follower.Configuration.ToString());
        Assert.Equal(0, follower.ConfigurationIndex);
    }

    [Fact]
    public void ASnapshotCarriesTheConfigurationToANodeThatMissedItsEntry()
    {
        var wire = ThreeNodes(out var leader);
        leader.ChangeMembership(AddLearner4);
        wire.DeliverAll();
        leader.Propose([1]);
        wire.DeliverAll();
        leader.Compact(leader.LastApplied);

        Assert.True(leader.FirstLogIndex > 1); // the entry that added node 4 is gone from the log

        var learner = Nodes.New(4, 3, seed: 4);
        wire.Join(learner);
        wire.RunFor(Nodes.Heartbeat * 2); // a probe, a rejection, the snapshot

        Assert.Equal(leader.SnapshotIndex, learner.SnapshotIndex);
        Assert.Equal("voters 1,2,3; learners 4", learner.Configuration.ToString());
        Assert.Equal(leader.LastLogIndex, learner.LastLogIndex);
    }

    [Fact]
    public void ARestartedNodeFindsItsConfigurationInItsSnapshotAndLog()
    {
        var atSnapshot = new ClusterConfig([1, 2, 3], [4], index: 7);
        var later = new ClusterConfig([1, 2, 3, 4], [], index: 12);
        var node = new RaftNode(Nodes.Options(2, 3), new HardState(2, 1), snapshotIndex: 10, snapshotTerm: 2,
            [Nodes.Entry(11, 2), LogEntry.Configuration(12, 2, later), Nodes.Entry(13, 2)], new Random(1), atSnapshot);
        Assert.True(node.Configuration.SameAs(later));
        Assert.Equal(12, node.ConfigurationIndex);
        Assert.True(node.ConfigurationAt(11).SameAs(atSnapshot));

        var fresh = new RaftNode(Nodes.Options(2, 3), HardState.Initial, 10, 2, [], new Random(1), atSnapshot);
        Assert.True(fresh.Configuration.SameAs(atSnapshot));
        Assert.Equal(7, fresh.ConfigurationIndex); // made at 7, though the log now starts after 10
    }

    /// <summary>Three nodes with a leader whose no-op is committed everywhere.</summary>
    private static Wire ThreeNodes(out RaftNode leader, long? promotionMaxLag = null)
    {
        RaftNode Node(int id) => promotionMaxLag is { } lag
            ? new RaftNode(Nodes.Options(id, 3) with { PromotionMaxLag = lag }, HardState.Initial, [], new Random(id))
            : Nodes.New(id, 3, seed: id);
        var wire = new Wire(Node(1), Node(2), Node(3));
        leader = wire.RunUntilLeader(TimeSpan.FromSeconds(5));
        wire.RunFor(Nodes.Heartbeat * 2);
        return wire;
    }
}
