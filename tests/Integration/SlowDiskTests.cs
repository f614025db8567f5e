using Xunit;

namespace RaftOrleans.Tests.Integration;

/// <summary>
/// A node whose disk is slow keeps taking messages; a follower's batches wait for its disk, in order, while a
/// leader's appends go out at once and commit with its followers (it writes in parallel, Raft thesis 10.2.1).
/// </summary>
public sealed class SlowDiskTests : RaftClusterTest
{
    public override Task InitializeAsync() => StartCluster<GatedStorageSiloConfigurator>();

    public override async Task DisposeAsync()
    {
        GatedStorageSiloConfigurator.OpenAll();
        await base.DisposeAsync();
    }

    [Fact]
    public async Task A_leader_whose_disk_stalls_still_commits_with_a_majority_of_its_followers()
    {
        var leader = await WaitForStableLeader();
        await WaitForConvergence(atLeast: leader.CommitIndex);
        var client = new Client(Gateway);

        // The leader's own write of the entry is held, but it sent the entry to its followers at once: four of
        // five hold it durably, so it commits, applies and is answered before the leader's disk has it. (A leader
        // that persisted before sending would answer Unavailable at the gateway's deadline.)
        GatedStorageSiloConfigurator.Shut(leader.NodeId);
        AssertOk(await client.Put("parallel", "1"));
        var during = await Node(leader.NodeId).GetStatus();
        Assert.Equal(("Leader", leader.Term), (during.Role, during.Term)); // it kept leading: its heartbeats did not wait for its disk either
        Assert.Equal(1, during.KeyCount);

        // Its disk catches up; everyone holds the same state.
        GatedStorageSiloConfigurator.OpenAll();
        var converged = await WaitForConvergence(atLeast: during.CommitIndex);
        Assert.All(converged, s => Assert.Equal(1, s.KeyCount));
    }

    [Fact]
    public async Task A_snapshot_taken_while_later_batches_wait_for_the_disk_holds_what_it_claims()
    {
        var leader = await WaitForStableLeader();
        await WaitForConvergence(atLeast: leader.CommitIndex);
        var follower = NodeIds.First(id => id != leader.NodeId);
        var client = new Client(Gateway);

        // The follower's disk stalls. The leader commits three writes with the other nodes; the follower's core
        // takes each append and the commit index it carries, but every batch waits behind the held write.
        GatedStorageSiloConfigurator.Shut(follower);
        for (var i = 0; i < 3; i++) AssertOk(await client.Put($"slow-{i}", $"{i}"));
        var behind = await WaitFor(async () =>
        {
            var status = await Node(follower).GetStatus();
            return status.CommitIndex >= status.LastApplied + 2 ? status : null;
        }, "the follower's core to know of commits its state machine has not applied yet");

        // The disk catches up: the batches are carried out in order, the first one crossing the snapshot
        // threshold. That snapshot must carry the index its state machine had reached, not the core's.
        GatedStorageSiloConfigurator.OpenAll();
        var converged = await WaitForConvergence(atLeast: (await WaitForStableLeader()).CommitIndex);
        Assert.True(converged.Single(s => s.NodeId == follower).SnapshotIndex > behind.LastApplied);

        // A restart rebuilds the follower from that snapshot and its log: it must hold exactly what the others do.
        await Node(follower).Crash();
        await Node(follower).Restart();
        var restarted = await WaitForConvergence(atLeast: (await WaitForStableLeader()).CommitIndex);
        Assert.All(restarted, s => Assert.Equal(3, s.KeyCount));
    }
}
