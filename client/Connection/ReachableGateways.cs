using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Messaging;

namespace RaftOrleans.Client.Connection;

/// <summary>
/// The gateways Redis lists, less those whose port refuses a connection: a silo killed a moment ago stays listed until
/// the others declare it dead (seconds, more on a busy machine), and the Orleans client, which asks one listed gateway
/// for the cluster's manifest before it starts, would wait out the whole connect timeout on it. Only a refusal counts:
/// a gateway that does not answer the probe in time (a paused silo, a remote one behind a slow link) stays listed, and
/// when every gateway refuses, all are kept, so the failure to connect says what it says today.
/// </summary>
internal sealed class ReachableGateways(IGatewayListProvider listed) : IGatewayListProvider
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(1);

    public TimeSpan MaxStaleness => listed.MaxStaleness;

    [Obsolete("Orleans no longer reads it: every provider is taken as updatable")]
    public bool IsUpdatable => true;

    public Task InitializeGatewayListProvider() => listed.InitializeGatewayListProvider();

    public async Task<IList<Uri>> GetGateways()
    {
        var all = await listed.GetGateways();
        var refused = await Task.WhenAll(all.Select(RefusesAsync));
        var reachable = all.Where((_, i) => !refused[i]).ToList();
        return reachable.Count > 0 ? reachable : all;
    }

    /// <summary>Replaces the client's gateway list provider (Redis's, in cluster mode) by this filter over it.</summary>
    public static void Decorate(IServiceCollection services)
    {
        var registered = services.Last(d => d.ServiceType == typeof(IGatewayListProvider));
        services.Remove(registered);
        services.AddSingleton<IGatewayListProvider>(provider => new ReachableGateways((IGatewayListProvider)(
            registered.ImplementationInstance
            ?? registered.ImplementationFactory?.Invoke(provider)
            ?? ActivatorUtilities.CreateInstance(provider, registered.ImplementationType!))));
    }

    /// <summary>Whether nothing listens on the gateway's port (the connection is refused), as a killed silo's.</summary>
    internal static async Task<bool> RefusesAsync(Uri gateway)
    {
        using var tcp = new TcpClient();
        using var timeout = new CancellationTokenSource(ProbeTimeout);
        try
        {
            await tcp.ConnectAsync(gateway.Host, gateway.Port, timeout.Token);
            return false;
        }
        catch (SocketException error) when (error.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return true;
        }
        catch (Exception error) when (error is SocketException or OperationCanceledException)
        {
            return false; // not a refusal: leave it to the Orleans client
        }
    }
}
