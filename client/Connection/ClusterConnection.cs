using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Orleans.Configuration;
using Orleans.Hosting;
using RaftOrleans.Configuration;

namespace RaftOrleans.Client.Connection;

/// <summary>
/// The Orleans client connected to the local silo's gateway port, and the host that owns it.
/// </summary>
internal sealed class ClusterConnection : IAsyncDisposable
{
    // Left alone, the Orleans client keeps retrying the gateway for minutes. This is long enough for a silo
    // that is still starting, and short enough that a user without one gets the message quickly.
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    // The gateway answers by its own deadline (gateway.request_timeout_ms); this margin only covers the trip,
    // so a call lost on the way fails as a timeout well before Orleans' default 30 s.
    private static readonly TimeSpan ResponseMargin = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(2);

    private readonly IHost _host;

    private ClusterConnection(IHost host)
    {
        _host = host;
        Client = host.Services.GetRequiredService<IClusterClient>();
    }

    public IClusterClient Client { get; }

    /// <exception cref="SiloUnreachableException">Nothing answered on [silo] gateway_port within the connect timeout.</exception>
    public static async Task<ClusterConnection> OpenAsync(RaftConfig config)
    {
        var port = config.Silo.GatewayPort;
        await ProbeGatewayPortAsync(port);
        // No defaults: everything the console needs is configured below, and the defaults would add an
        // appsettings.json reload watcher, which watches the working directory and everything under it (a
        // silo's data directory too, when both start from the same place) and wakes on every write there.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton<IHostLifetime, NoSignalHandlingLifetime>();
        ConfigureLogging(builder.Logging);
        builder.UseOrleansClient(client => client
            .UseLocalhostClustering(port)
            .Configure<ClientMessagingOptions>(options => options.ResponseTimeout = config.Gateway.RequestTimeout + ResponseMargin));

        var host = builder.Build();
        using var timeout = new CancellationTokenSource(ConnectTimeout);
        try
        {
            await host.StartAsync(timeout.Token);
        }
        catch (Exception error) when (error is OperationCanceledException || ConnectionErrors.IsLostConnection(error))
        {
            host.Dispose();
            throw new SiloUnreachableException(port, error);
        }
        return new ClusterConnection(host);
    }

    /// <summary>
    /// A plain TCP connect first: when nothing listens it is refused at once, where the Orleans client would
    /// go on retrying until the connect timeout. Anything that accepts gets the real handshake next.
    /// </summary>
    private static async Task ProbeGatewayPortAsync(int port)
    {
        using var tcp = new TcpClient();
        using var timeout = new CancellationTokenSource(ConnectTimeout);
        try
        {
            await tcp.ConnectAsync(IPAddress.Loopback, port, timeout.Token);
        }
        catch (Exception error) when (error is SocketException or OperationCanceledException)
        {
            throw new SiloUnreachableException(port, error);
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(StopTimeout);
        try
        {
            await _host.StopAsync(timeout.Token);
        }
        catch (Exception)
        {
            // Closing a connection to a silo that is already gone fails; the process is ending either way.
        }
        _host.Dispose();
    }

    /// <summary>
    /// Orleans' warnings only, and on stderr, so that the console's own output (and `status --json`) stays
    /// clean. Connection trouble (failed attempts, gateways marked dead, responses given up on) is left out:
    /// it comes with stack traces or one line per request, and the console resends or says it in one sentence.
    /// </summary>
    private static void ConfigureLogging(ILoggingBuilder logging)
    {
        logging.ClearProviders();
        logging.AddSimpleConsole(options => options.SingleLine = true);
        logging.Services.Configure<ConsoleLoggerOptions>(options => options.LogToStandardErrorThreshold = LogLevel.Trace);
        logging.SetMinimumLevel(LogLevel.Warning);
        logging.AddFilter("Orleans.Runtime.Messaging", LogLevel.Error);
        logging.AddFilter("Orleans.Messaging", LogLevel.Error);
        logging.AddFilter("Orleans.Runtime.CallbackData", LogLevel.Error);
        logging.AddFilter("Microsoft.Extensions.Hosting", LogLevel.None);
    }
}
