using Microsoft.Extensions.DependencyInjection;
using RaftOrleans.KeyValue.Sessions;
using Xunit;

namespace RaftOrleans.Tests.Library;

/// <summary>
/// The client's report of a lost gateway connection, as Orleans delivers it (every <see cref="GatewayCountChangedHandler"/>
/// registered as a service): a drop in the count of connected gateways ends the attempts out at that moment; a gateway
/// connected again, or a second registration, changes nothing.
/// </summary>
public sealed class GatewayLossesTests
{
    private static (GatewayLosses Losses, GatewayCountChangedHandler[] Handlers) Registered(int times = 1)
    {
        var services = new ServiceCollection();
        for (var i = 0; i < times; i++) GatewayLosses.Register(services);
        var provider = services.BuildServiceProvider();
        return (provider.GetRequiredService<GatewayLosses>(), provider.GetServices<GatewayCountChangedHandler>().ToArray());
    }

    [Fact]
    public void ALostGatewayConnectionEndsTheWaitAndAGainedOneDoesNot()
    {
        var (losses, handlers) = Registered();
        var handler = Assert.Single(handlers);
        var waiting = losses.Next;

        handler(null!, new GatewayCountChangedEventArgs(5, 4)); // one more gateway connected
        Assert.False(waiting.IsCompleted);

        handler(null!, new GatewayCountChangedEventArgs(4, 5)); // one connection lost
        Assert.True(waiting.IsCompleted);
        Assert.False(losses.Next.IsCompleted); // an attempt sent after the loss waits for the next one
    }

    [Fact]
    public void RegisteringTwiceReportsEachLossOnce()
    {
        var (_, handlers) = Registered(times: 2);
        Assert.Single(handlers);
    }
}
