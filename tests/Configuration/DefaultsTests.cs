using Microsoft.Extensions.Logging;
using RaftOrleans.Configuration;
using Xunit;

namespace RaftOrleans.Tests.Configuration;

public class DefaultsTests
{
    [Theory]
    [InlineData("")]
    [InlineData("# only a comment\n\n")]
    [InlineData("[cluster]\n[raft]\n[silo]\n[gateway]\n[client]\n")]
    public void A_file_without_values_gives_the_defaults(string toml)
    {
        Assert.Equal(RaftConfig.Default, RaftConfigLoader.Parse(toml, "raft.toml"));
    }

    [Fact]
    public void Defaults_are_the_documented_values()
    {
        var config = RaftConfig.Default;

        Assert.Equal(5, config.Cluster.Nodes);
        Assert.Equal(150, config.Raft.ElectionTimeoutMinMs);
        Assert.Equal(300, config.Raft.ElectionTimeoutMaxMs);
        Assert.Equal(50, config.Raft.HeartbeatIntervalMs);
        Assert.Equal(200, config.Raft.RpcTimeoutMs);
        Assert.Equal(256, config.Raft.MaxEntriesPerAppend);
        Assert.Equal(1, config.Raft.MaxInflightAppends);
        Assert.Equal(11111, config.Silo.SiloPort);
        Assert.Equal(30000, config.Silo.GatewayPort);
        Assert.Equal(LogLevel.Information, config.Silo.LogLevel);
        Assert.Equal(5000, config.Gateway.RequestTimeoutMs);
        Assert.Equal(256, config.Gateway.MaxKeyBytes);
        Assert.Equal(65536, config.Gateway.MaxValueBytes);
        Assert.Equal(4, config.Client.NumClients);
        Assert.Equal(20, config.Client.RequestsPerClient);
        Assert.Equal(10, config.Client.KeySpace);
    }

    [Fact]
    public void Defaults_are_valid()
    {
        Assert.Empty(RaftConfigValidator.Validate(RaftConfig.Default));
    }

    [Fact]
    public void Convenience_properties_follow_the_millisecond_values()
    {
        var config = RaftConfig.Default;

        Assert.Equal(TimeSpan.FromMilliseconds(150), config.Raft.ElectionTimeoutMin);
        Assert.Equal(TimeSpan.FromMilliseconds(300), config.Raft.ElectionTimeoutMax);
        Assert.Equal(TimeSpan.FromMilliseconds(50), config.Raft.HeartbeatInterval);
        Assert.Equal(TimeSpan.FromMilliseconds(200), config.Raft.RpcTimeout);
        Assert.Equal(TimeSpan.FromSeconds(5), config.Gateway.RequestTimeout);
        Assert.Equal([1, 2, 3, 4, 5], config.Cluster.NodeIds);
        Assert.Equal(3, config.Cluster.Majority);
    }
}
