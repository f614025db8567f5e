using Xunit;

namespace RaftOrleans.Tests.Integration;

/// <summary>
/// A node whose state engine cannot write (a full disk) stops, as a crash would, instead of answering from a state
/// it could not update; the others go on serving; once the disk has room again it restarts and catches up with
/// nothing lost.
/// </summary>
public sealed class FullDiskTests : RaftClusterTest
{
    public override Task InitializeAsync() => StartCluster<FullDiskSiloConfigurator>();

    public override async Task DisposeAsync()
    {
        FullDiskSiloConfigurator.FreeAll();
        await base.DisposeAsync();
    }

    [Fact]
    public async Task A_node_whose_disk_is_full_stops_the_others_go_on_and_it_catches_up_once_freed()
    {
        var client = new Client(Gateway);
        var leader = await WaitForStableLeader();
        AssertOk(await client.Put("before", "1"));
        var follower = NodeIds.First(id => id != leader.NodeId);

        FullDiskSiloConfigurator.Fill(follower);
        for (var i = 0; i < 5; i++) AssertOk(await client.Put($"while-full-{i}", $"{i}"));
        await WaitFor(async () => (await Node(follower).GetStatus()) is { Crashed: true } s ? s : null,
            $"node {follower} to stop when its state engine could not write");
        AssertOk(await client.Get("while-full-4"), "4");

        FullDiskSiloConfigurator.FreeAll();
        await Node(follower).Restart();
        var converged = await WaitForConvergence(atLeast: (await WaitForStableLeader()).CommitIndex);
        Assert.Contains(converged, s => s.NodeId == follower);
        Assert.All(converged, s => Assert.Equal(6, s.KeyCount));
    }
}
