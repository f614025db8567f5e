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
    public const string Usage =
        "check [--clients C] [--keys K] [--seconds S] [--nemesis none|kill|pause|partition|crash-node|transfer|membership|all] [--history FILE] [--cluster-script PATH]";

    /// <exception cref="UsageException">An option out of range, or a nemesis this cluster cannot take.</exception>
    public static CheckOptions From(ParsedArguments args, RaftConfig config)
    {
        args.Expect(Usage, 0, "--clients", "--keys", "--seconds", "--nemesis", "--history", "--cluster-script");
        var name = args.Text("--nemesis", "none").ToLowerInvariant();
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
        if (nemeses.Contains(NemesisKind.Partition) && !config.Faults.Enabled)
        {
            throw new UsageException($"--nemesis {name} cuts nodes apart, which needs [faults] enabled = true in raft.toml (scripts/cluster.sh start --faults writes it)");
        }
        string? script = null;
        if (processes)
        {
            script = args.Flag("--cluster-script") ? args.Text("--cluster-script", "") : FindClusterScript();
            if (script is null || !File.Exists(script))
            {
                throw new UsageException(script is null
                    ? $"--nemesis {name} acts through scripts/cluster.sh, which was not found above {Environment.CurrentDirectory}; run from the repository or pass --cluster-script PATH"
                    : $"--cluster-script {script}: no such file");
            }
        }
        return new CheckOptions(
            Clients: args.Int("--clients", 1, 5)!.Value,
            Keys: args.Int("--keys", 1, 5)!.Value,
            Seconds: args.Int("--seconds", 1, 60)!.Value,
            Nemeses: nemeses,
            NemesisName: name,
            HistoryPath: args.Flag("--history") ? args.Text("--history", "") : null,
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
