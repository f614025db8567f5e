using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RaftOrleans;
using RaftOrleans.Configuration;
using RaftOrleans.Silo;
using RaftOrleans.Storage;

// The local silo: reads raft.toml, hosts Raft nodes 1..N and the gateway on localhost.
var arguments = SiloArguments.Parse(args, out var argumentError);
if (arguments is null)
{
    Console.Error.WriteLine(argumentError);
    Console.Error.WriteLine(SiloArguments.Usage);
    return 2;
}

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

var level = arguments.LogLevel ?? config.Silo.LogLevel;
// No host defaults: raft.toml is the configuration, and the defaults' appsettings reload watcher would watch
// the working directory and everything under it, data_dir included, waking on every log write.
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole(options =>
{
    options.SingleLine = true;
    options.TimestampFormat = "HH:mm:ss.fff ";
});
// Our own categories at the configured level; Orleans' own chatter only when something is wrong
// (or when the user asked for Debug or finer, where it helps to see both).
builder.Logging.SetMinimumLevel(level < LogLevel.Information ? level : LogLevel.Warning);
builder.Logging.AddFilter("RaftOrleans", level);

var storage = RaftClusterOptionsFactory.StorageFrom(config);
try
{
    foreach (var repair in StoragePreflight.Check(storage, Enumerable.Range(1, config.Cluster.Nodes)))
        Console.Error.WriteLine($"silo: warning: {repair}");
}
catch (Exception error) when (StoragePreflight.IsStorageProblem(error))
{
    Console.Error.WriteLine($"silo: cannot start: {error.Message}");
    (storage as IDisposable)?.Dispose();
    return 1;
}

builder.UseOrleans(silo => silo
    .UseLocalhostClustering(config.Silo.SiloPort, config.Silo.GatewayPort)
    .AddRaftKeyValueStore(RaftClusterOptionsFactory.From(config), storage));

using var host = builder.Build();
Console.WriteLine($"RaftOrleans silo: {config.Cluster.Nodes} Raft nodes, gateway on 127.0.0.1:{config.Silo.GatewayPort}, " +
                  $"config {Path.GetFullPath(arguments.ConfigPath)}, " +
                  (config.Storage.Kind == StorageKind.File
                      ? $"data in {Path.GetFullPath(config.Storage.DataDir)} (fsync {(config.Storage.Fsync ? "on" : "off")}). "
                      : "data in memory (lost when the silo stops). ") +
                  "Ctrl+C stops it.");
await host.RunAsync();
return 0;
