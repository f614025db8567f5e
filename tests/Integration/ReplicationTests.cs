using Xunit;

namespace RaftOrleans.Tests.Integration;

public sealed class ReplicationTests : RaftClusterTest
{
    [Fact]
    public async Task After_a_burst_of_writes_every_node_applies_the_same_state()
    {
        var clients = Enumerable.Range(0, 8).Select(_ => new Client(Gateway)).ToArray();
        await Task.WhenAll(clients.Select(async (client, c) =>
        {
            for (var i = 0; i < 25; i++) AssertOk(await client.Put($"burst-{c}-{i}", $"{c}:{i}"));
        }));

        var leader = await WaitForStableLeader();
        var converged = await WaitForConvergence(atLeast: leader.CommitIndex);
        Assert.All(converged, s => Assert.Equal(200, s.KeyCount));
    }
}
