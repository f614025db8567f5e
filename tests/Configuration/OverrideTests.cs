using Microsoft.Extensions.Logging;
using RaftOrleans.Configuration;
using Xunit;

namespace RaftOrleans.Tests.Configuration;

public class OverrideTests
{
    [Fact]
    public void Every_key_can_be_overridden()
    {
        const string toml = """
            [cluster]
            nodes = 3
            [raft]
            election_timeout_min_ms = 500
            election_timeout_max_ms = 1000
            heartbeat_interval_ms = 100
            rpc_timeout_ms = 250
            max_entries_per_append = 64
            max_inflight_appends = 2
            [silo]
            silo_port = 12000
            gateway_port = 31000
            log_level = "Debug"
            [gateway]
            request_timeout_ms = 2000
            max_key_bytes = 100
            max_value_bytes = 1000
            [client]
            num_clients = 8
            requests_per_client = 50
            key_space = 3
            """;

        var config = RaftConfigLoader.Parse(toml, "raft.toml");

        var expected = new RaftConfig
        {
            Cluster = new ClusterSettings { Nodes = 3 },
            Raft = new RaftSettings
            {
                ElectionTimeoutMinMs = 500, ElectionTimeoutMaxMs = 1000, HeartbeatIntervalMs = 100,
                RpcTimeoutMs = 250, MaxEntriesPerAppend = 64, MaxInflightAppends = 2,
            },
            Silo = new SiloSettings { SiloPort = 12000, GatewayPort = 31000, LogLevel = LogLevel.Debug },
            Gateway = new GatewaySettings { RequestTimeoutMs = 2000, MaxKeyBytes = 100, MaxValueBytes = 1000 },
            Client = new ClientSettings { NumClients = 8, RequestsPerClient = 50, KeySpace = 3 },
        };
        Assert.Equal(expected, config);
        Assert.Equal(TimeSpan.FromMilliseconds(500), config.Raft.ElectionTimeoutMin);
        Assert.Equal([1, 2, 3], config.Cluster.NodeIds);
    }

    [Fact]
    public void Keys_left_out_keep_their_defaults()
    {
        var config = RaftConfigLoader.Parse("[raft]\nheartbeat_interval_ms = 20\n", "raft.toml");

        Assert.Equal(RaftConfig.Default with { Raft = new RaftSettings { HeartbeatIntervalMs = 20 } }, config);
    }

    [Theory]
    [InlineData("warning", LogLevel.Warning)]
    [InlineData("TRACE", LogLevel.Trace)]
    [InlineData("None", LogLevel.None)]
    [InlineData("critical", LogLevel.Critical)]
    public void Log_level_names_are_case_insensitive(string name, LogLevel expected)
    {
        var config = RaftConfigLoader.Parse($"[silo]\nlog_level = \"{name}\"\n", "raft.toml");

        Assert.Equal(expected, config.Silo.LogLevel);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(9)]
    public void Any_cluster_size_from_1_to_9_is_accepted(int nodes)
    {
        var config = RaftConfigLoader.Parse($"[cluster]\nnodes = {nodes}\n", "raft.toml");

        Assert.Equal(nodes, config.Cluster.Nodes);
        Assert.Equal(Enumerable.Range(1, nodes), config.Cluster.NodeIds);
    }

    [Fact]
    public void Dotted_keys_and_inline_tables_are_ordinary_TOML_and_work()
    {
        const string toml = """
            cluster.nodes = 7
            raft = { heartbeat_interval_ms = 30, rpc_timeout_ms = 100 }
            """;

        var config = RaftConfigLoader.Parse(toml, "raft.toml");

        Assert.Equal(7, config.Cluster.Nodes);
        Assert.Equal(30, config.Raft.HeartbeatIntervalMs);
        Assert.Equal(100, config.Raft.RpcTimeoutMs);
    }

    [Fact]
    public void Load_reads_a_file_from_disk()
    {
        var path = Path.Combine(Path.GetTempPath(), $"raft-{Guid.NewGuid():N}.toml");
        File.WriteAllText(path, "[client]\nnum_clients = 2\n");
        try
        {
            Assert.Equal(2, RaftConfigLoader.Load(path).Client.NumClients);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
