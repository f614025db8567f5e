using Orleans.TestingHost;
using RaftOrleans.Configuration;
using RaftOrleans.Silo;
using RaftOrleans.Storage;

namespace RaftOrleans.Tests.Integration;

/// <summary>
/// One silo of two groups (busy = 3, quiet = 3) over the file storage in <see cref="FileStorageSiloConfigurator.DataDir"/>,
/// its shared log cut into small segments (64 KiB) so that a few thousand writes fill several, and snapshots every 200
/// entries.
/// </summary>
public sealed class SharedLogSiloConfigurator : ISiloConfigurator
{
    public const long SegmentBytes = 64 * 1024;

    public static readonly RaftClusterOptions Options = RaftClusterOptionsFactory.From(RaftConfig.Default with
    {
        Cluster = new ClusterSettings { Nodes = 5 },
        Gateway = RaftConfig.Default.Gateway with { RequestTimeoutMs = 2000 },
        Groups = [new GroupSettings("busy", 3), new GroupSettings("quiet", 3)],
    }) with { SnapshotThreshold = 200, SnapshotCatchUpEntries = 10 };

    public void Configure(ISiloBuilder siloBuilder) =>
        siloBuilder.AddRaftKeyValueStore(Options, new FileRaftStorageProvider(FileStorageSiloConfigurator.DataDir, fsync: true, clusterId: "test", segmentBytes: SegmentBytes));
}
