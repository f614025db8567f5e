using RaftOrleans.KeyValue.Sessions;
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

    private const int ClusterConnectTries = 3;

    private readonly IHost _host;

    private ClusterConnection(IHost host)
    {
        _host = host;
        Client = host.Services.GetRequiredService<IClusterClient>();
    }

    public IClusterClient Client { get; }

    /// <exception cref="SiloUnreachableException">
    /// Embedded: nothing answered on [silo] gateway_port within the connect timeout. Cluster mode: Redis did not
    /// answer, or no gateway it lists did.
    /// </exception>
    public static async Task<ClusterConnection> OpenAsync(RaftConfig config)
    {
        var cluster = config.Cluster.Mode == ClusterMode.Cluster;
        var port = config.Silo.GatewayPort;
        if (cluster)
        {
            if (await RedisProbe.ProblemAsync(config.Cluster) is { } problem) throw SiloUnreachableException.Cluster(problem);
        }
        else
        {
            await ProbeGatewayPortAsync(port);
        }
        // Cluster mode: the Orleans client asks one gateway, picked at random, for the cluster's manifest before it
        // starts. A killed silo's gateway is left out (ReachableGateways); a paused silo's accepts the connection and
        // never answers. Another try picks again.
        var tries = cluster ? ClusterConnectTries : 1;
        var certificates = config.Tls.Enabled ? ClusterCertificates.ForClient(config.Tls) : null;
        for (var attempt = 1; ; attempt++)
        {
            var host = Build(config, cluster, certificates);
            using var timeout = new CancellationTokenSource(ConnectTimeout);
            try
            {
                await host.StartAsync(timeout.Token);
                return new ClusterConnection(host);
            }
            // A start cut short by the timeout surfaces as OperationCanceledException or, from inside Orleans' lifecycle,
            // as OrleansLifecycleCanceledException (seen in CI when a gateway took more than the timeout to answer).
            catch (Exception error) when (error is OperationCanceledException || timeout.IsCancellationRequested || ConnectionErrors.IsLostConnection(error))
            {
                host.Dispose();
                if (attempt < tries) continue;
                throw cluster
                    ? SiloUnreachableException.Cluster($"no gateway listed in Redis at {config.Cluster.Redis} answered: start the silos (scripts/cluster.sh start){TlsHint(config)}", error)
                    : SiloUnreachableException.Embedded(port, error, TlsHint(config));
            }
        }
    }

    /// <summary>
    /// A gateway that takes the TCP connection and then closes it is most often one that requires TLS from a client
    /// without it, or that refused this client's certificate; the silo's log says which.
    /// </summary>
    private static string TlsHint(RaftConfig config) => config.Tls.Enabled
        ? $" (or the silos refused this client's certificate {config.Tls.ClientCertificate}: it must be issued by the authority in their tls.ca; their log says why)"
        : " (or the silos require TLS: set [tls] enabled = true with this cluster's client certificate, see scripts/make-certs.sh)";

    private static IHost Build(RaftConfig config, bool cluster, ClusterCertificates? certificates)
    {
        // No defaults: everything the console needs is configured below, and the defaults would add an
        // appsettings.json reload watcher, which watches the working directory and everything under it (a
        // silo's data directory too, when both start from the same place) and wakes on every write there.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton<IHostLifetime, NoSignalHandlingLifetime>();
        ConfigureLogging(builder.Logging);
        GatewayLosses.Register(builder.Services); // cluster mode: a request out through a gateway whose silo died is resent at once
        builder.UseOrleansClient(client =>
        {
            // Cluster mode: every silo's gateway, as Redis lists them; the client spreads its calls over them and
            // leaves out one whose connection breaks.
            if (cluster)
            {
                client.Configure<ClusterOptions>(options =>
                    {
                        options.ClusterId = config.Cluster.Id;
                        options.ServiceId = config.Cluster.Id;
                    })
                    .UseRedisClustering(config.Cluster.Redis);
            }
            else
            {
                client.UseLocalhostClustering(config.Silo.GatewayPort);
            }
            client.Configure<ClientMessagingOptions>(options => options.ResponseTimeout = config.Gateway.RequestTimeout + ResponseMargin);
            if (certificates is not null) client.UseClusterTls(certificates);
        });
        if (cluster) ReachableGateways.Decorate(builder.Services);
        return builder.Build();
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
            throw SiloUnreachableException.Embedded(port, error);
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
        // Cluster mode: a gateway that died is left out after a failed attempt (or a manifest refresh) it warns of.
        logging.AddFilter("Orleans.Runtime.ClientClusterManifestProvider", LogLevel.Error);
        logging.AddFilter("Orleans.Runtime.GatewayManager", LogLevel.Error);
        logging.AddFilter("Microsoft.Extensions.Hosting", LogLevel.None);
    }
}
