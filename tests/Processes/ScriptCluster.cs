using RaftOrleans.Tests.Configuration;

namespace RaftOrleans.Tests.Processes;

/// <summary>
/// A cluster started the way a user starts one, with scripts/cluster.sh, in a temporary directory of its own and on
/// free ports (the script's RAFT_CLUSTER_* variables), running the silo built beside the tests. The client console
/// runs against it as a process with the same variables, so `client check` acts through the same script. Disposing
/// stops what the script started (it stops only its own processes, by id) and deletes the directory.
/// </summary>
internal sealed class ScriptCluster : IAsyncDisposable
{
    private static readonly string Script = Path.Combine(RepositoryRoot.Path, "scripts", "cluster.sh");
    private readonly Dictionary<string, string> _environment;

    private ScriptCluster(string directory)
    {
        Directory = directory;
        // Node N's ports are base + N: one block for Redis and the silo, gateway and HTTP ports of five nodes.
        var ports = FreePorts.Ranges(5, 4);
        _environment = new Dictionary<string, string>
        {
            ["RAFT_CLUSTER_DIR"] = directory,
            ["RAFT_CLUSTER_REDIS_PORT"] = ports[3].ToString(),
            ["RAFT_CLUSTER_SILO_BASE"] = (ports[0] - 1).ToString(),
            ["RAFT_CLUSTER_GATEWAY_BASE"] = (ports[1] - 1).ToString(),
            ["RAFT_CLUSTER_HTTP_BASE"] = (ports[2] - 1).ToString(),
            ["RAFT_CLUSTER_SILO_DLL"] = SiloProcess.Dll,
        };
    }

    public string Directory { get; }

    public string ConfigPath => Path.Combine(Directory, "raft.toml");

    /// <summary>`scripts/cluster.sh start NODES [--faults]`.</summary>
    public static async Task<ScriptCluster> StartAsync(int nodes, bool faults)
    {
        var cluster = new ScriptCluster(System.IO.Directory.CreateTempSubdirectory("raft-script-cluster-").FullName);
        var (exit, output) = await ConsoleRun.RunAsync("bash", [Script, "start", nodes.ToString(), .. faults ? new[] { "--faults" } : []], cluster._environment, TimeSpan.FromMinutes(5));
        if (exit != 0) throw new InvalidOperationException($"scripts/cluster.sh start failed (exit {exit}): {output}\n{cluster.Logs()}");
        return cluster;
    }

    /// <summary>The client console (`dotnet RaftOrleans.Client.dll --config raft.toml ARGS`), run from the repository root.</summary>
    public Task<(int Exit, string Output)> ClientAsync(TimeSpan deadline, params string[] arguments) =>
        ConsoleRun.ClientAsync(ConfigPath, _environment, deadline, arguments);

    /// <summary>Every silo's log, for a failing test's message.</summary>
    public string Logs()
    {
        var logs = Path.Combine(Directory, "logs");
        if (!System.IO.Directory.Exists(logs)) return "(no logs)";
        return string.Join("\n", System.IO.Directory.GetFiles(logs, "node-*.log").Order()
            .Select(file => $"--- {Path.GetFileName(file)}:\n{string.Join("\n", File.ReadLines(file).TakeLast(40))}"));
    }

    public async ValueTask DisposeAsync()
    {
        await ConsoleRun.RunAsync("bash", [Script, "stop"], _environment, TimeSpan.FromMinutes(2));
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // a process still writing its log; the temporary directory is left behind
        }
    }
}
