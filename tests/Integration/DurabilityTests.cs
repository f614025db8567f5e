using RaftOrleans.Kv;
using Xunit;

namespace RaftOrleans.Tests.Integration;

/// <summary>The default silo setup: every node's term, vote, log and snapshots in files under a data directory.</summary>
public sealed class DurabilityTests : FileStorageClusterTest<FileStorageSiloConfigurator>
{
    [Fact]
    public async Task Stopping_the_whole_silo_loses_no_acknowledged_write()
    {
        var client = new Client(Gateway);
        // More writes than the snapshot threshold, so recovery reads a snapshot and the log after it.
        for (var i = 0; i < 50; i++) AssertOk(await client.Put($"durable-{i}", $"value-{i}"));
        AssertOk(await client.Delete("durable-7"));

        await Cluster.DisposeAsync(); // every node stops at once
        await StartCluster<FileStorageSiloConfigurator>(); // same data directory

        var reader = new Client(Gateway);
        for (var i = 0; i < 50; i++)
        {
            var result = await reader.Get($"durable-{i}");
            if (i == 7) Assert.Equal(KvStatus.NotFound, result.Status);
            else AssertOk(result, $"value-{i}");
        }
        // And the restarted cluster keeps working: a new write, and a refused duplicate of an old key.
        AssertOk(await reader.Put("after-restart", "yes"));
        Assert.Equal(KvStatus.KeyExists, (await reader.Put("durable-0", "again")).Status);
    }

    [Fact]
    public async Task A_restart_from_snapshots_taken_under_concurrent_load_loses_nothing()
    {
        // Many writers at once keep batches waiting for the disk behind each other (the core can then have handed
        // out more committed entries than the state machine has applied; a snapshot must be labelled with what
        // the state machine holds). This does not force that interleaving, it checks the whole path: snapshots
        // under load, then every node restarting from its own snapshot and log.
        var clients = Enumerable.Range(0, 16).Select(_ => new Client(Gateway)).ToArray();
        await Task.WhenAll(clients.Select(async (client, c) =>
        {
            for (var i = 0; i < 25; i++) AssertOk(await client.Put($"load-{c}-{i}", $"{c}:{i}"));
        }));
        var before = await WaitForConvergence(atLeast: (await WaitForStableLeader()).CommitIndex);
        Assert.All(before, s => Assert.True(s.SnapshotIndex > 0, $"node {s.NodeId} took no snapshot"));

        await Cluster.DisposeAsync(); // every node stops at once
        await StartCluster<FileStorageSiloConfigurator>(); // and recovers from its snapshot and log

        var after = await WaitForConvergence(atLeast: (await WaitForStableLeader()).CommitIndex);
        Assert.All(after, s => Assert.Equal(400, s.KeyCount));
        Assert.All(after, s => Assert.Equal(before[0].StateDigest, s.StateDigest));
        var reader = new Client(Gateway);
        foreach (var (c, i) in new[] { (0, 0), (7, 12), (15, 24) }) AssertOk(await reader.Get($"load-{c}-{i}"), $"{c}:{i}");
    }

    [Fact]
    public async Task A_node_that_fell_behind_a_compacted_log_catches_up_through_a_snapshot()
    {
        var client = new Client(Gateway);
        var leader = await WaitForStableLeader();
        var laggard = NodeIds.First(id => id != leader.NodeId);
        await Node(laggard).Crash();
        var missedFrom = (await Node(leader.NodeId).GetStatus()).LastLogIndex;

        for (var i = 0; i < 80; i++) AssertOk(await client.Put($"missed-{i}", $"{i}"));
        // The leader has compacted past everything the laggard lacks, the catch-up tail it keeps before its
        // snapshot included: plain AppendEntries can no longer help.
        var keptBeforeSnapshot = FileStorageSiloConfigurator.Options.SnapshotCatchUpEntries;
        await WaitFor(async () =>
        {
            var status = await Node(leader.NodeId).GetStatus();
            return status.SnapshotIndex > missedFrom + 1 + keptBeforeSnapshot ? status : null;
        }, "the leader to compact its log past what the crashed node is missing");

        await Node(laggard).Restart();
        var current = await WaitForStableLeader();
        var converged = await WaitForConvergence(atLeast: current.CommitIndex);

        var caughtUp = converged.Single(s => s.NodeId == laggard);
        Assert.True(caughtUp.SnapshotIndex > missedFrom,
            $"node {laggard} should hold a snapshot past index {missedFrom}, has {caughtUp.SnapshotIndex}");
        Assert.Equal(80, caughtUp.KeyCount);
    }
}
