using RaftOrleans.Client.Connection;
using RaftOrleans.Configuration;

namespace RaftOrleans.Tests.Processes;

/// <summary>
/// A cluster of real processes for one test: its own Redis and one silo process per Raft node (cluster mode), in a
/// temporary directory with a raft.toml of its own (free ports, a cluster id of its own). Disposing kills what it
/// started, by process id, and deletes the directory.
/// </summary>
internal sealed class ProcessCluster : IAsyncDisposable
{
    public static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(90);

    private readonly Dictionary<int, SiloProcess> _silos = new();
    private readonly List<SiloProcess> _retired = new();

    private ProcessCluster(string directory, RedisServer redis, RaftConfig config, string configPath)
    {
        Directory = directory;
        Redis = redis;
        Config = config;
        ConfigPath = configPath;
    }

    public string Directory { get; }
    public RedisServer Redis { get; }
    public RaftConfig Config { get; }
    public string ConfigPath { get; }

    public SiloProcess Silo(int node) => _silos[node];

    /// <summary>
    /// Redis and a raft.toml for <paramref name="nodes"/> nodes; <paramref name="start"/> says which silos to start now.
    /// <paramref name="spareNodes"/> more node ids get free ports too, for nodes a membership change adds later.
    /// <paramref name="raft"/> is the raft.toml's [raft] section's lines (none: the defaults).
    /// </summary>
    public static async Task<ProcessCluster> CreateAsync(int nodes, IEnumerable<int>? start = null, int spareNodes = 0,
        string raft = "", int requestTimeoutMs = 2000)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("raft-processes-").FullName;
        var redis = await RedisServer.StartAsync();
        var configPath = Path.Combine(directory, "raft.toml");
        var ports = FreePorts.Ranges(nodes + spareNodes, 3); // silo, gateway and HTTP ports of every node
        await File.WriteAllTextAsync(configPath, $"""
            [cluster]
            nodes = {nodes}
            mode = "cluster"
            id = "test-{Guid.NewGuid():N}"
            redis = "{redis.Endpoint}"

            [silo]
            silo_port = {ports[0]}
            gateway_port = {ports[1]}
            http_port = {ports[2]}

            [gateway]
            request_timeout_ms = {requestTimeoutMs}

            [raft]
            {raft}
            """);
        var cluster = new ProcessCluster(directory, redis, RaftConfigLoader.Load(configPath), configPath);
        foreach (var node in start ?? Enumerable.Range(1, nodes)) cluster.Launch(node);
        await Task.WhenAll(cluster._silos.Values.Select(s => s.WaitStartedAsync(StartDeadline)));
        return cluster;
    }

    /// <summary>Starts node <paramref name="node"/>'s silo (again: a killed one's process is kept for its output).</summary>
    public SiloProcess Launch(int node)
    {
        if (_silos.Remove(node, out var old)) _retired.Add(old);
        return _silos[node] = SiloProcess.Start(Directory, "--config", ConfigPath, "--node", node.ToString());
    }

    public async Task RestartAsync(int node) => await Launch(node).WaitStartedAsync(StartDeadline);

    /// <summary>A silo run with other arguments or another raft.toml, for start-up checks; not one of the cluster's.</summary>
    public SiloProcess Run(params string[] arguments)
    {
        var silo = SiloProcess.Start(Directory, arguments);
        _retired.Add(silo);
        return silo;
    }

    /// <summary>The console's own connection (through Redis, to every gateway), as `client --config` opens it.</summary>
    public Task<ClusterConnection> ConnectAsync() => ClusterConnection.OpenAsync(Config);

    /// <summary>
    /// For a failing test, as an exception filter (<c>catch (Exception) when (cluster.LogsShown())</c>): prints every
    /// silo's output and lets the exception go on.
    /// </summary>
    public bool LogsShown()
    {
        Console.Error.WriteLine(Logs());
        return false;
    }

    /// <summary>Every silo's output, for a failing test's message.</summary>
    public string Logs() => string.Join("\n", _silos.OrderBy(s => s.Key).Select(s => $"--- node {s.Key} (pid {s.Value.Pid}):\n{s.Value.Output}"));

    public async ValueTask DisposeAsync()
    {
        foreach (var silo in _silos.Values.Concat(_retired)) silo.Dispose();
        Redis.Dispose();
        await Task.Yield();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // a file still held by a dying process: the temp directory is cleaned by the system later
        }
    }
}
