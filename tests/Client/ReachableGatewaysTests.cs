using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Messaging;
using RaftOrleans.Client.Connection;
using Xunit;

namespace RaftOrleans.Tests.Client;

/// <summary>
/// The console's gateway list in cluster mode leaves out a gateway whose port refuses connections (a silo killed a
/// moment ago, still listed in Redis), so the Orleans client does not wait out its connect timeout on it.
/// </summary>
public sealed class ReachableGatewaysTests : IDisposable
{
    private readonly TcpListener _live = new(IPAddress.Loopback, 0);

    public ReachableGatewaysTests() => _live.Start();

    public void Dispose() => _live.Dispose();

    private Uri Live => Gateway(((IPEndPoint)_live.LocalEndpoint).Port);

    [Fact]
    public async Task A_gateway_that_refuses_connections_is_left_out()
    {
        var dead = Gateway(ClosedPort());
        var gateways = await new ReachableGateways(new Listed(dead, Live)).GetGateways();
        Assert.Equal([Live], gateways);
    }

    [Fact]
    public async Task When_every_gateway_refuses_all_are_kept_so_the_connection_fails_as_before()
    {
        var dead = Gateway(ClosedPort());
        Assert.Equal([dead], await new ReachableGateways(new Listed(dead)).GetGateways());
    }

    [Fact]
    public async Task It_takes_the_place_of_the_registered_provider_and_asks_it()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IGatewayListProvider>(new Listed(Gateway(ClosedPort()), Live));
        ReachableGateways.Decorate(services);
        Assert.Single(services, d => d.ServiceType == typeof(IGatewayListProvider));
        var provider = services.BuildServiceProvider().GetRequiredService<IGatewayListProvider>();
        Assert.IsType<ReachableGateways>(provider);
        Assert.Equal([Live], await provider.GetGateways());
    }

    private static Uri Gateway(int port) => new($"gwy.tcp://127.0.0.1:{port}/0");

    /// <summary>A port nothing listens on: one the kernel just gave a listener, closed again.</summary>
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class Listed(params Uri[] gateways) : IGatewayListProvider
    {
        public TimeSpan MaxStaleness => TimeSpan.FromMinutes(1);

        [Obsolete("not read by Orleans")]
        public bool IsUpdatable => true;

        public Task InitializeGatewayListProvider() => Task.CompletedTask;

        public Task<IList<Uri>> GetGateways() => Task.FromResult<IList<Uri>>(gateways);
    }
}
