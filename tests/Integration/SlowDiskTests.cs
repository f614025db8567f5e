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
        var client = new Client(Gateway);
        for (var attempt = 1; ; attempt++)
        {
            var leader = await WaitForStableLeader();
            await WaitForConvergence(atLeast: leader.CommitIndex);

            // The leader's own write of the entry is held, but it sent the entry to its followers at once: four of
            // five hold it durably, so it commits, applies and is answered before the leader's disk has it. (A
            // leader that persisted before sending stops heartbeating while its disk is held, and is deposed.)
            GatedStorageSiloConfigurator.Shut(leader.NodeId);
            AssertOk(await client.Put($"parallel-{attempt}", "1"));
            var during = await Node(leader.NodeId).GetStatus();
            GatedStorageSiloConfigurator.OpenAll();
            if ((during.Role, during.Term) == ("Leader", leader.Term))
            {
                Assert.Equal(attempt, during.KeyCount);
                var converged = await WaitForConvergence(atLeast: during.CommitIndex);
                Assert.All(converged, s => Assert.Equal(attempt, s.KeyCount));
                return;
            }
            // An election for another reason (a starved process on a busy machine) can come between the two reads:
            // try again, but a leader deposed in every try is the failure this test is about.
            Assert.True(attempt < 3, $"the leader lost its term while its disk was held back, in {attempt} of {attempt} tries");
        }
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
