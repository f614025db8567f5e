using Orleans.TestingHost;
using RaftOrleans.Tests.Storage;

namespace RaftOrleans.Tests.Integration;

/// <summary>
/// A one-silo TestCluster on the file storage, in a data directory of its own that is deleted after the test. The
/// file-storage configurators read the directory from <see cref="FileStorageSiloConfigurator.DataDir"/> (a static:
/// TestCluster builds configurators by type, and the integration tests run one at a time).
/// </summary>
public abstract class FileStorageClusterTest<TConfigurator> : RaftClusterTest where TConfigurator : ISiloConfigurator, new()
{
    protected TempDirectory DataDir { get; } = new();

    public override Task InitializeAsync()
    {
        FileStorageSiloConfigurator.DataDir = DataDir.Path;
        return StartCluster<TConfigurator>();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        DataDir.Dispose();
    }
}
