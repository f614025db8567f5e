using Microsoft.Extensions.DependencyInjection;

namespace RaftOrleans.KeyValue.Sessions;

/// <summary>
/// Tells a session that the Orleans client lost a connection to a gateway. Orleans fails nothing already sent on a
/// connection that breaks: such a request waits for its response timeout, and one that went to a killed silo's gateway
/// was lost with it. So in cluster mode a session ends every attempt it has out when a connection drops and resends
/// after its usual short pause (50 ms), under the same id (applied at most once), through a gateway still connected;
/// without this, an attempt lost with a killed silo cost a whole attempt timeout (an election timeout). The price:
/// attempts that were on live connections are resent too, once per lost gateway.
/// </summary>
internal sealed class GatewayLosses
{
    private readonly Signal _lost = new();

    /// <summary>Completes when the client next loses a gateway connection.</summary>
    public Task Next => _lost.Next;

    private void CountChanged(object? sender, GatewayCountChangedEventArgs change)
    {
        if (change.NumberOfConnectedGateways < change.PreviousNumberOfConnectedGateways) _lost.Fire();
    }

    /// <summary>Makes the Orleans client built on <paramref name="services"/> report its lost gateway connections here.</summary>
    public static void Register(IServiceCollection services)
    {
        if (services.Any(service => service.ServiceType == typeof(GatewayLosses))) return;
        services.AddSingleton<GatewayLosses>();
        // Orleans calls every handler registered as a service, at once when a gateway's connection closes.
        services.AddSingleton<GatewayCountChangedHandler>(provider => provider.GetRequiredService<GatewayLosses>().CountChanged);
    }

    /// <summary>The signal of the Orleans client behind <paramref name="grains"/>, if it was registered there.</summary>
    public static GatewayLosses? Of(IGrainFactory grains) => (grains as IClusterClient)?.ServiceProvider.GetService<GatewayLosses>();
}
