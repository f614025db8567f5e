using Microsoft.AspNetCore.Builder;
using Orleans.Dashboard;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RaftOrleans;
using RaftOrleans.Configuration;
using RaftOrleans.Raft;
using RaftOrleans.Silo;
using RaftOrleans.Silo.Http;
using RaftOrleans.Storage;

// The silo: reads raft.toml; embedded mode hosts Raft nodes 1..N on localhost, cluster mode hosts node --node N
// and joins the others through Redis.
var arguments = SiloArguments.Parse(args, out var argumentsExit);
if (arguments is null) return argumentsExit;

RaftConfig config;
try
{
    config = RaftConfigLoader.Load(arguments.ConfigPath);
}
catch (RaftConfigException error)
{
    Console.Error.WriteLine(error.Message);
    return 2;
}

if (NodeArgumentProblem(config, arguments.Node) is { } nodeProblem)
{
    Console.Error.WriteLine($"silo: {nodeProblem}");
    return 2;
}
var options = RaftClusterOptionsFactory.From(config, arguments.Node);
if (PortPreflight.Problem(config, arguments.Node) is { } portProblem)
{
    Console.Error.WriteLine($"silo: cannot start: {portProblem}");
    return 1;
}

var level = arguments.LogLevel ?? config.Silo.LogLevel;
// No host defaults: raft.toml is the configuration, and the defaults' appsettings reload watcher would watch
// the working directory and everything under it, data_dir included, waking on every log write. With silo.http_port
// set, the host is a web host (Kestrel on 127.0.0.1: status page and /metrics), equally bare.
var httpPort = config.HttpPortOf(arguments.Node);
IHostApplicationBuilder builder = httpPort is { } port
    ? SiloHttp.CreateBuilder(port)
    : Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
SiloLogging.Configure(builder.Logging, level);

ClusterCertificates? certificates = null;
try
{
    if (config.Tls.Enabled)
    {
        var own = certificates = ClusterCertificates.ForSilo(config.Tls);
        // Through gateways beyond this machine, administrative orders signed by an administrator's certificate are taken.
        options = options with { AdminCertificateProblem = certificate => own.Problem(certificate, ClusterCertificates.AdminRole) };
    }
}
catch (RaftConfigException error)
{
    Console.Error.WriteLine(error.Message);
    return 2;
}

var storage = RaftClusterOptionsFactory.StorageFrom(config, options);
try
{
    foreach (var repair in StoragePreflight.Check(storage, options.Groups, options.HostedNodes))
        Console.Error.WriteLine($"silo: warning: {repair}");
}
catch (Exception error) when (StoragePreflight.IsStorageProblem(error))
{
    Console.Error.WriteLine($"silo: cannot start: {error.Message}");
    (storage as IDisposable)?.Dispose();
    return 1;
}
if (config.Cluster.Mode == ClusterMode.Cluster && await RedisProbe.ProblemAsync(config.Cluster) is { } redisProblem)
{
    Console.Error.WriteLine($"silo: cannot start: {redisProblem}");
    (storage as IDisposable)?.Dispose();
    return 1;
}

builder.UseOrleans(silo =>
{
    silo.UseRaftClustering(config, arguments.Node).AddRaftKeyValueStore(options, storage);
    if (certificates is not null) silo.UseClusterTls(certificates);
    if (httpPort is not null && config.Silo.OrleansDashboard) silo.AddDashboard();
});

using IHost host = builder is WebApplicationBuilder web ? SiloHttp.Build(web, config.Silo.OrleansDashboard) : ((HostApplicationBuilder)builder).Build();
try
{
    await host.StartAsync();
}
catch (Exception error)
{
    // Another silo already runs this node, a port is taken, membership could not be joined...: one line, no trace.
    Console.Error.WriteLine($"silo: cannot start: {StartFailure(error)}");
    SiloLogging.Mute();
    return 1;
}
Console.WriteLine($"RaftOrleans silo {options.SiloName}: " +
                  (options.OneNodePerSilo ? $"Raft node {arguments.Node} (first configuration: nodes 1..{config.Cluster.Nodes}), " : $"{config.Cluster.Nodes} Raft nodes, ") +
                  $"gateway on {(options.OneNodePerSilo ? config.Silo.Address : "127.0.0.1")}:{config.GatewayPortOf(arguments.Node)}{(certificates is null ? "" : " (TLS)")}, " +
                  (httpPort is { } http ? $"status page http://127.0.0.1:{http}/ (metrics at /metrics), " : "") +
                  $"config {Path.GetFullPath(arguments.ConfigPath)}, " +
                  (config.Storage.Kind == StorageKind.File
                      ? $"data in {Path.GetFullPath(config.Storage.DataDir)} (fsync {(config.Storage.Fsync ? "on" : "off")}). "
                      : "data in memory (lost when the silo stops). ") +
                  $"Process id {Environment.ProcessId}. Ctrl+C stops it.");
await host.WaitForShutdownAsync();
return 0;

// The innermost message says what went wrong (Orleans wraps a lifecycle failure); a bind failure names the port.
static string StartFailure(Exception error)
{
    var inner = error;
    while (inner is not NodeClaimedException && inner.InnerException is not null) inner = inner.InnerException;
    return inner.Message.Split('\n')[0].Trim();
}

// Node N listens on silo_port + N - 1 and gateway_port + N - 1; raft.toml's validation covers nodes 1..cluster.nodes,
// a node added later (N above them) must fit too.
static string? PortClash(RaftConfig config, int node)
{
    var (silo, gateway, http) = (config.SiloPortOf(node), config.GatewayPortOf(node), config.HttpPortOf(node));
    if (silo > 65535 || gateway > 65535 || http > 65535) return $"its ports (silo {silo}, gateway {gateway}, http {http?.ToString() ?? "off"}) would pass 65535";
    var (siloFirst, gatewayFirst) = (config.SiloPortOf(1), config.GatewayPortOf(1));
    if (siloFirst <= gateway && gatewayFirst <= silo) return $"its silo ports {siloFirst}..{silo} and gateway ports {gatewayFirst}..{gateway} would overlap";
    return null;
}

// --node is required in cluster mode (which node this silo hosts), and meaningless in embedded mode.
static string? NodeArgumentProblem(RaftConfig config, int? node) => (config.Cluster.Mode, node) switch
{
    (ClusterMode.Cluster, null) =>
        $"cluster.mode is \"cluster\": say which Raft node this silo hosts with --node N (1..{config.Cluster.Nodes}, or a new node's id to add it)",
    (ClusterMode.Cluster, { } id) when id < 1 || id > ClusterConfig.MaxNodeId =>
        $"--node {id}: node ids are 1..{ClusterConfig.MaxNodeId}",
    (ClusterMode.Cluster, { } id) when id > config.Cluster.Nodes && PortClash(config, id) is { } clash =>
        $"--node {id}: {clash}; choose silo.silo_port and silo.gateway_port further apart in raft.toml",
    (ClusterMode.Embedded, { } id) =>
        $"--node {id}: this raft.toml runs every node in one silo (cluster.mode = \"embedded\"); set cluster.mode = \"cluster\" to run one silo per node",
    _ => null,
};
