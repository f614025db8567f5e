using Orleans.TestingHost;
using RaftOrleans.Silo;
using RaftOrleans.Storage;

namespace RaftOrleans.Tests.Integration;

/// <summary>
/// A silo on the durable file storage in <see cref="DataDir"/>, with a small snapshot threshold so that
/// compaction and InstallSnapshot happen within a test. TestCluster builds configurators by type, so the
/// directory is handed over in a static: the integration tests run one at a time (one collection).
/// </summary>
public sealed class FileStorageSiloConfigurator : ISiloConfigurator
{
    public static string DataDir { get; set; } = "";

    public static readonly RaftClusterOptions Options = TestSiloConfigurator.Options with { SnapshotThreshold = 20, SnapshotCatchUpEntries = 10 };

    public void Configure(ISiloBuilder siloBuilder) =>
        siloBuilder.AddRaftKeyValueStore(Options, new FileRaftStorageProvider(DataDir, fsync: true, clusterId: "test"));
}
