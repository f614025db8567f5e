using Microsoft.Extensions.DependencyInjection;
using RaftOrleans.Storage;

namespace RaftOrleans.Silo;

public static class SiloBuilderExtensions
{
    /// <summary>
    /// Everything a silo needs to host the Raft nodes and the gateway: options, storage (a singleton, so it
    /// outlives a node's crash and restart), and a start-up task
    /// that activates nodes 1..N so elections run before any client shows up. Shared by the real silo and
    /// the TestCluster tests, so both run the same wiring.
    /// </summary>
    public static ISiloBuilder AddRaftKeyValueStore(this ISiloBuilder silo, RaftClusterOptions options, IRaftStorageProvider storage)
    {
        silo.Services.AddSingleton(options);
        // Registered through a factory so the container disposes it (closing the log files) with the silo.
        silo.Services.AddSingleton<IRaftStorageProvider>(_ => storage);
        silo.AddStartupTask(async (services, _) =>
        {
            var grains = services.GetRequiredService<IGrainFactory>();
            await Task.WhenAll(options.NodeIds.Select(id => grains.GetGrain<IRaftNodeGrain>(id).Start()));
        });
        return silo;
    }
}
