using Microsoft.Extensions.Logging;

namespace RaftOrleans.Configuration;

/// <summary>
/// The rules a <see cref="RaftConfig"/> must satisfy, whether it came from <c>raft.toml</c> or was built in
/// code (tests). <see cref="RaftConfigLoader"/> applies them to every file it loads.
/// </summary>
public static class RaftConfigValidator
{
    /// <summary>Upper bound of every millisecond setting: one hour. Longer is always a typo (seconds vs ms).</summary>
    public const int MaxDurationMs = 3_600_000;

    /// <summary>Every problem of <paramref name="config"/>; empty when it is valid.</summary>
    public static IReadOnlyList<ConfigProblem> Validate(RaftConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var problems = new List<ConfigProblem>();

        InRange(problems, "cluster.nodes", config.Cluster.Nodes, ClusterSettings.MinNodes, ClusterSettings.MaxNodes,
            "Raft clusters are small; 3 or 5 is typical");

        var raft = config.Raft;
        var minOk = InRange(problems, "raft.election_timeout_min_ms", raft.ElectionTimeoutMinMs, 1, MaxDurationMs);
        var maxOk = InRange(problems, "raft.election_timeout_max_ms", raft.ElectionTimeoutMaxMs, 1, MaxDurationMs);
        var heartbeatOk = InRange(problems, "raft.heartbeat_interval_ms", raft.HeartbeatIntervalMs, 1, MaxDurationMs);
        if (minOk && maxOk && raft.ElectionTimeoutMinMs >= raft.ElectionTimeoutMaxMs)
        {
            problems.Add(ConfigProblem.Invalid("raft.election_timeout_min_ms",
                $"must be less than raft.election_timeout_max_ms ({raft.ElectionTimeoutMaxMs}), got {raft.ElectionTimeoutMinMs}",
                "raft.election_timeout_max_ms"));
        }
        if (heartbeatOk && minOk && raft.HeartbeatIntervalMs >= raft.ElectionTimeoutMinMs)
        {
            problems.Add(ConfigProblem.Invalid("raft.heartbeat_interval_ms",
                $"must be less than raft.election_timeout_min_ms ({raft.ElectionTimeoutMinMs}), got {raft.HeartbeatIntervalMs}" +
                " (followers would start elections between heartbeats)",
                "raft.election_timeout_min_ms"));
        }
        InRange(problems, "raft.rpc_timeout_ms", raft.RpcTimeoutMs, 1, MaxDurationMs);
        AtLeast(problems, "raft.max_entries_per_append", raft.MaxEntriesPerAppend, 1);
        AtLeast(problems, "raft.max_inflight_appends", raft.MaxInflightAppends, 1);

        var silo = config.Silo;
        var siloPortOk = InRange(problems, "silo.silo_port", silo.SiloPort, 1, 65535);
        var gatewayPortOk = InRange(problems, "silo.gateway_port", silo.GatewayPort, 1, 65535);
        if (siloPortOk && gatewayPortOk && silo.SiloPort == silo.GatewayPort)
        {
            problems.Add(ConfigProblem.Invalid("silo.gateway_port",
                $"must differ from silo.silo_port ({silo.SiloPort}), got {silo.GatewayPort}", "silo.silo_port"));
        }
        if (!Enum.IsDefined(silo.LogLevel))
        {
            problems.Add(ConfigProblem.Invalid("silo.log_level",
                $"must be one of {string.Join(", ", Enum.GetNames<LogLevel>())}, got {(int)silo.LogLevel}"));
        }

        var gateway = config.Gateway;
        InRange(problems, "gateway.request_timeout_ms", gateway.RequestTimeoutMs, 1, MaxDurationMs);
        AtLeast(problems, "gateway.max_key_bytes", gateway.MaxKeyBytes, 1);
        AtLeast(problems, "gateway.max_value_bytes", gateway.MaxValueBytes, 1);

        var client = config.Client;
        AtLeast(problems, "client.num_clients", client.NumClients, 1);
        AtLeast(problems, "client.requests_per_client", client.RequestsPerClient, 1);
        AtLeast(problems, "client.key_space", client.KeySpace, 1);

        var storage = config.Storage;
        if (!Enum.IsDefined(storage.Kind))
        {
            problems.Add(ConfigProblem.Invalid("storage.kind", $"must be file or memory, got {(int)storage.Kind}"));
        }
        if (string.IsNullOrWhiteSpace(storage.DataDir))
        {
            problems.Add(ConfigProblem.Invalid("storage.data_dir", "must name a directory"));
        }
        else if (storage.DataDir.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
        {
            problems.Add(ConfigProblem.Invalid("storage.data_dir", $"is not a valid path: \"{storage.DataDir}\""));
        }
        AtLeast(problems, "storage.snapshot_threshold", storage.SnapshotThreshold, 1);
        AtLeast(problems, "storage.snapshot_catchup_entries", storage.SnapshotCatchUpEntries, 0);

        return problems;
    }

    private static bool InRange(List<ConfigProblem> problems, string key, int value, int min, int max, string? why = null)
    {
        if (value >= min && value <= max)
        {
            return true;
        }
        var reason = why is null ? $"must be between {min} and {max}" : $"must be between {min} and {max} ({why})";
        problems.Add(ConfigProblem.Invalid(key, $"{reason}, got {value}"));
        return false;
    }

    private static bool AtLeast(List<ConfigProblem> problems, string key, int value, int min)
    {
        if (value >= min)
        {
            return true;
        }
        problems.Add(ConfigProblem.Invalid(key, $"must be at least {min}, got {value}"));
        return false;
    }
}
