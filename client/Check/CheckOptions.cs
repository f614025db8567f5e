using System.CommandLine;
using RaftOrleans.Client.CommandLine;
using RaftOrleans.Configuration;

namespace RaftOrleans.Client.Check;

/// <summary>The faults `client check` can inject; <c>all</c> takes turns among them all.</summary>
internal enum NemesisKind
{
    None,
    Kill,
    Pause,
    Partition,
    CrashNode,
    Transfer,
    Membership,
}

/// <summary>The check command line, checked against raft.toml: a nemesis the cluster cannot take is refused before connecting.</summary>
internal sealed record CheckOptions(
    int Clients,
    int Keys,
    int Seconds,
    IReadOnlyList<NemesisKind> Nemeses,
    string NemesisName,
    string? HistoryPath,
    string? ClusterScript)
{
    private static readonly Option<int?> ClientsOption = Options.Int("--clients", 1, 5, "Concurrent clients", "C");
    private static readonly Option<int?> KeysOption = Options.Int("--keys", 1, 5, "Keys in use at a time (each moves on to a fresh key after 300 operations)", "K");
    private static readonly Option<int?> SecondsOption = Options.Int("--seconds", 1, 60, "How long the clients run", "S");
    private static readonly Option<string?> NemesisOption = Options.Text("--nemesis",
        "The faults injected while they run: none, kill, pause, partition, crash-node, transfer, membership or all", "NEMESIS");
    private static readonly Option<string?> HistoryOption = Options.Text("--history", "Where to save the history (JSON lines); a failing run saves it anyway", "FILE");
    private static readonly Option<string?> ClusterScriptOption = Options.Text("--cluster-script", "scripts/cluster.sh to kill and pause silos with (default: found above the current directory)", "PATH");

    /// <summary>The `check` command and its options.</summary>
    public static Command Command() => new("check",
        "The fault suite: clients run random put/get/delete while a nemesis injects faults; then the history is checked for linearizability, lost writes and equal replicas")
    {
        ClientsOption, KeysOption, SecondsOption, NemesisOption, HistoryOption, ClusterScriptOption,
    };

    /// <exception cref="UsageException">An unknown nemesis, or one this cluster cannot take.</exception>
    public static CheckOptions From(ParseResult args, RaftConfig config)
    {
        var name = (args.GetValue(NemesisOption) ?? "none").ToLowerInvariant();
        NemesisKind[] nemeses = name switch
        {
            "none" => [],
            "kill" => [NemesisKind.Kill],
            "pause" => [NemesisKind.Pause],
            "partition" => [NemesisKind.Partition],
            "crash-node" => [NemesisKind.CrashNode],
            "transfer" => [NemesisKind.Transfer],
            "membership" => [NemesisKind.Membership],
            "all" => [NemesisKind.Kill, NemesisKind.Pause, NemesisKind.Partition, NemesisKind.CrashNode, NemesisKind.Transfer, NemesisKind.Membership],
            _ => throw new UsageException($"--nemesis must be none, kill, pause, partition, crash-node, transfer, membership or all, got '{name}'"),
        };
        var processes = nemeses.Any(n => n is NemesisKind.Kill or NemesisKind.Pause);
        if (processes && config.Cluster.Mode != ClusterMode.Cluster)
        {
            throw new UsageException($"--nemesis {name} kills and pauses silo processes, which needs cluster mode (one silo per node: scripts/cluster.sh start); on the embedded silo use --nemesis crash-node");
        }
        if (nemeses.Any(n => n is NemesisKind.Partition or NemesisKind.CrashNode) && !config.Faults.Enabled)
        {
            throw new UsageException($"--nemesis {name} crashes nodes or cuts them apart, which needs [faults] enabled = true in raft.toml (scripts/cluster.sh start --faults writes it)");
        }
        string? script = null;
        if (processes)
        {
            script = args.GetValue(ClusterScriptOption) ?? FindClusterScript();
            if (script is null || !File.Exists(script))
            {
                throw new UsageException(script is null
                    ? $"--nemesis {name} acts through scripts/cluster.sh, which was not found above {Environment.CurrentDirectory}; run from the repository or pass --cluster-script PATH"
                    : $"--cluster-script {script}: no such file");
            }
        }
        return new CheckOptions(
            Clients: args.GetValue(ClientsOption)!.Value,
            Keys: args.GetValue(KeysOption)!.Value,
            Seconds: args.GetValue(SecondsOption)!.Value,
            Nemeses: nemeses,
            NemesisName: name,
            HistoryPath: args.GetValue(HistoryOption),
            ClusterScript: script);
    }

    /// <summary>scripts/cluster.sh in the current directory or the nearest one above it (the repository's).</summary>
    private static string? FindClusterScript()
    {
        for (var directory = new DirectoryInfo(Environment.CurrentDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "scripts", "cluster.sh");
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }
}
