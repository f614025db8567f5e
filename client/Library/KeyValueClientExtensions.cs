using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RaftOrleans.KeyValue.Sessions;

namespace RaftOrleans.KeyValue;

/// <summary>Ways to get an <see cref="IKeyValueStore"/>: from dependency injection, or from an Orleans client at hand.</summary>
public static class KeyValueClientExtensions
{
    /// <summary>
    /// Registers <see cref="IKeyValueStore"/> as a singleton over the application's Orleans client (configure that
    /// with <c>UseOrleansClient</c>: localhost clustering for the embedded silo, Redis clustering for a cluster, TLS if
    /// the cluster uses it). The store learns the cluster's groups and deadlines from a gateway at its first operation.
    /// </summary>
    public static IServiceCollection AddRaftKeyValueClient(this IServiceCollection services, Action<KeyValueClientOptions>? configure = null)
    {
        var options = services.AddOptions<KeyValueClientOptions>();
        if (configure is not null) options.Configure(configure);
        GatewayLosses.Register(services); // the Orleans client built on these services reports lost gateways to the store
        services.AddSingleton<IKeyValueStore>(provider =>
            new KeyValueStore(provider.GetRequiredService<IClusterClient>(), provider.GetRequiredService<IOptions<KeyValueClientOptions>>().Value));
        return services;
    }

    /// <summary>
    /// The store through <paramref name="grains"/>: an <see cref="IClusterClient"/> the application already runs, or
    /// a grain's own factory inside a silo of the store's cluster. Keep the store and reuse it: it pools its sessions.
    /// </summary>
    public static IKeyValueStore AsKeyValueStore(this IGrainFactory grains, KeyValueClientOptions? options = null) =>
        new KeyValueStore(grains, options ?? new KeyValueClientOptions());
}
