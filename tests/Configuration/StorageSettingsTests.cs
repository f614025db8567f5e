using RaftOrleans.Configuration;
using RaftOrleans.Silo;
using Xunit;

namespace RaftOrleans.Tests.Configuration;

public sealed class StorageSettingsTests
{
    [Fact]
    public void Storage_defaults_to_durable_files_with_fsync()
    {
        var config = RaftConfigLoader.Parse("", "raft.toml");

        Assert.Equal(StorageKind.File, config.Storage.Kind);
        Assert.Equal("data", config.Storage.DataDir);
        Assert.True(config.Storage.Fsync);
        Assert.Equal(10_000, config.Storage.SnapshotThreshold);
        Assert.Equal(5_000, config.Storage.SnapshotCatchUpEntries);
        Assert.Equal(8, config.Storage.SnapshotSendMbPerSecond);
    }

    [Fact]
    public void Storage_keys_are_read()
    {
        var config = RaftConfigLoader.Parse(
            "[storage]\nkind = \"Memory\"\ndata_dir = \"/var/lib/raft\"\nfsync = false\nsnapshot_threshold = 50\n" +
            "snapshot_catchup_entries = 0\nsnapshot_send_mb_per_s = 0\n", "raft.toml");

        Assert.Equal(StorageKind.Memory, config.Storage.Kind);
        Assert.Equal("/var/lib/raft", config.Storage.DataDir);
        Assert.False(config.Storage.Fsync);
        Assert.Equal(50, config.Storage.SnapshotThreshold);
        Assert.Equal(0, config.Storage.SnapshotCatchUpEntries);
        Assert.Equal(0, config.Storage.SnapshotSendMbPerSecond);
    }

    [Fact]
    public void The_snapshot_pace_reaches_every_replica_in_bytes_per_second()
    {
        var config = RaftConfigLoader.Parse("[storage]\nsnapshot_send_mb_per_s = 3\n", "raft.toml");

        var options = RaftClusterOptionsFactory.From(config);

        Assert.All(options.Groups.All, group => Assert.Equal(3L * 1024 * 1024, options.ForReplica(group, 1).SnapshotSendBytesPerSecond));
    }

    [Theory]
    [InlineData("kind = \"disk\"", "raft.toml: storage.kind: must be one of File, Memory, got string \"disk\" (line 2)")]
    [InlineData("fsync = \"yes\"", "raft.toml: storage.fsync: expected true or false, got string \"yes\" (line 2)")]
    [InlineData("data_dir = 5", "raft.toml: storage.data_dir: expected a string, got integer 5 (line 2)")]
    [InlineData("data_dir = \"\"", "raft.toml: storage.data_dir: must name a directory (line 2)")]
    [InlineData("snapshot_threshold = 0", "raft.toml: storage.snapshot_threshold: must be at least 1, got 0 (line 2)")]
    [InlineData("snapshot_catchup_entries = -1", "raft.toml: storage.snapshot_catchup_entries: must be at least 0, got -1 (line 2)")]
    [InlineData("snapshot_send_mb_per_s = -1", "raft.toml: storage.snapshot_send_mb_per_s: must be between 0 and 10000 (0 sends snapshots unpaced), got -1 (line 2)")]
    [InlineData("snapshot_send_mb_per_s = 10001", "raft.toml: storage.snapshot_send_mb_per_s: must be between 0 and 10000 (0 sends snapshots unpaced), got 10001 (line 2)")]
    [InlineData("snapshot_send_mb_per_s = \"8MB\"", "raft.toml: storage.snapshot_send_mb_per_s: expected an integer, got string \"8MB\" (line 2)")]
    public void Bad_storage_values_name_the_key_and_the_reason(string line, string expected)
    {
        var error = Assert.Throws<RaftConfigException>(() => RaftConfigLoader.Parse($"[storage]\n{line}\n", "raft.toml"));

        Assert.Equal(expected, Assert.Single(error.Errors));
    }
}
