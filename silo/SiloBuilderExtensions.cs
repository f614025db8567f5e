using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Runtime.Hosting;
using RaftOrleans.Metrics;
using RaftOrleans.Placement;
using RaftOrleans.Security;
using RaftOrleans.Silo.Placement;
using RaftOrleans.Storage;

namespace RaftOrleans.Silo;

public static class SiloBuilderExtensions
{
    /// <summary>
    /// Everything a silo needs to host the Raft nodes and the gateway: options, storage (a singleton, so it
    /// outlives a node's crash and restart), and a start-up task
    /// that activates the nodes this silo hosts so elections run before any client shows up, the placement that
    /// keeps node N on its own silo, and the silo's name that placement goes by. Shared by the real silo and
    /// the TestCluster tests, so both run the same wiring. Also the silo's door (<see cref="ClientCallFilter"/>).
    /// </summary>
    public static ISiloBuilder AddRaftKeyValueStore(this ISiloBuilder silo, RaftClusterOptions options, IRaftStorageProvider storage)
    {
        silo.Services.AddSingleton(options);
        silo.Services.AddSingleton<LeaderCache>();
        silo.Services.AddSingleton<SiloClock>(); // one per silo: every node's clock, stalls left out
        silo.Services.AddSingleton<SiloHeartbeatHost>(); // one per silo: the heartbeat of all its quiesced groups
        silo.Services.AddMetrics(); // IMeterFactory (a host that already has it keeps its own)
        silo.Services.AddSingleton<RaftMetrics>();
        silo.Configure<SiloOptions>(o => o.SiloName = options.SiloName);
        silo.Services.AddPlacementDirector<RaftNodePlacement, RaftNodePlacementDirector>();
        // The nodes and the gateways are found by their placement alone, never by a lookup in Orleans' directory.
        silo.AddGrainDirectory(PlacementOnlyDirectory.Name, (_, _) => PlacementOnlyDirectory.Instance);
        // Registered through a factory so the container disposes it (closing the log files) with the silo.
        silo.Services.AddSingleton<IRaftStorageProvider>(_ => storage);
        // Clients reach only the gateway and, where allowed, administration; nothing a client sends is read past this size.
        silo.AddIncomingGrainCallFilter<ClientCallFilter>();
        silo.Configure<SiloMessagingOptions>(o => o.MaxMessageBodySize = options.MaxMessageBytes);
        silo.AddStartupTask((services, cancellation) => NodeStartup.RunAsync(services, options, cancellation));
        return silo;
    }
}
