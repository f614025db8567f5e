using System.Net;
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
        ValidateCluster(problems, config.Cluster);
        ValidateGroups(problems, config);
        ValidateTls(problems, config.Tls);

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
        if (raft.Quiesce && !raft.PreVote)
        {
            // A follower that restarts, or hears late that its quiesced leader's silo fell silent, campaigns while the
            // leader is alive; pre-vote is what makes the others refuse it (they still hear that leader's silo).
            problems.Add(ConfigProblem.Invalid("raft.quiesce",
                "needs raft.pre_vote = true (without pre-vote, a follower waking from quiescence could depose a healthy leader); set raft.quiesce = false or raft.pre_vote = true",
                "raft.pre_vote"));
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
        var httpPortOk = InRange(problems, "silo.http_port", silo.HttpPort, 0, 65535, "0 turns the HTTP endpoint off");
        if (httpPortOk && silo.HttpPort != 0 && (silo.HttpPort == silo.SiloPort || silo.HttpPort == silo.GatewayPort))
        {
            problems.Add(ConfigProblem.Invalid("silo.http_port",
                $"must differ from silo.silo_port ({silo.SiloPort}) and silo.gateway_port ({silo.GatewayPort}), got {silo.HttpPort}"));
            httpPortOk = false;
        }
        if (silo.OrleansDashboard && silo.HttpPort == 0)
        {
            problems.Add(ConfigProblem.Invalid("silo.orleans_dashboard", "needs the HTTP endpoint: set silo.http_port (it is 0)", "silo.http_port"));
        }
        if (!IPAddress.TryParse(silo.Address, out _))
        {
            problems.Add(ConfigProblem.Invalid("silo.address", $"must be an IP address such as 127.0.0.1, got \"{silo.Address}\""));
        }
        if (siloPortOk && gatewayPortOk && httpPortOk && config.Cluster.Mode == ClusterMode.Cluster)
        {
            ValidateClusterPorts(problems, config);
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
        AtLeast(problems, "gateway.max_requests_in_flight", gateway.MaxRequestsInFlight, 1);
        var shortestLifetime = (long)gateway.RequestTimeoutMs * GatewaySettings.SessionLifetimeInRequestTimeouts;
        if (gateway.SessionLifetimeMs < shortestLifetime)
        {
            problems.Add(ConfigProblem.Invalid("gateway.session_lifetime_ms",
                $"must be at least {GatewaySettings.SessionLifetimeInRequestTimeouts} × gateway.request_timeout_ms ({shortestLifetime}), so a session outlives its client's resends, got {gateway.SessionLifetimeMs}",
                "gateway.request_timeout_ms"));
        }

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
        InRange(problems, "storage.snapshot_send_mb_per_s", storage.SnapshotSendMbPerSecond, 0, StorageSettings.MaxSnapshotSendMbPerSecond,
            "0 sends snapshots unpaced");

        return problems;
    }

    /// <summary>
    /// [groups]: valid names (they name directories), an odd replica count (an even one tolerates no more failures
    /// than the odd one below it, at the cost of one more copy) that fits on the nodes: node N of every group lives on
    /// node N's silo, so a group of r replicas needs r distinct nodes (cluster mode: r silos).
    /// </summary>
    /// <summary>With TLS on, every file must be named (whether it exists and holds what it should, ClusterCertificates checks).</summary>
    private static void ValidateTls(List<ConfigProblem> problems, TlsSettings tls)
    {
        if (!tls.Enabled) return;
        foreach (var (key, path) in new[] { ("ca", tls.Ca), ("certificate", tls.Certificate), ("key", tls.Key),
                     ("client_certificate", tls.ClientCertificate), ("client_key", tls.ClientKey) })
        {
            if (string.IsNullOrWhiteSpace(path)) problems.Add(ConfigProblem.Invalid($"tls.{key}", "must name a PEM file when tls.enabled is true"));
        }
        if (string.IsNullOrWhiteSpace(tls.AdminCertificate) != string.IsNullOrWhiteSpace(tls.AdminKey))
        {
            problems.Add(ConfigProblem.Invalid("tls.admin_key", "tls.admin_certificate and tls.admin_key go together: set both or neither", "tls.admin_certificate"));
        }
    }

    private static void ValidateGroups(List<ConfigProblem> problems, RaftConfig config)
    {
        if (config.Groups.Count > GroupSettings.MaxGroups)
        {
            problems.Add(ConfigProblem.Invalid("groups", $"at most {GroupSettings.MaxGroups} groups, got {config.Groups.Count}"));
        }
        var where = config.Cluster.Mode == ClusterMode.Cluster ? "silos (cluster.nodes, one per node)" : "nodes (cluster.nodes)";
        foreach (var group in config.Groups)
        {
            var key = $"groups.{group.Name}";
            if (GroupSettings.NameProblem(group.Name) is { } problem)
            {
                problems.Add(ConfigProblem.Invalid(key, problem));
            }
            else if (group.Replicas < 1 || group.Replicas % 2 == 0)
            {
                problems.Add(ConfigProblem.Invalid(key, $"the replica count must be odd and at least 1 (3 or 5 is typical), got {group.Replicas}"));
            }
            else if (group.Replicas > config.Cluster.Nodes)
            {
                problems.Add(ConfigProblem.Invalid(key,
                    $"{group.Replicas} replicas cannot be placed on {config.Cluster.Nodes} {where}: no two replicas of a group share one; " +
                    "lower the count or raise cluster.nodes", "cluster.nodes"));
            }
        }
    }

    private static void ValidateCluster(List<ConfigProblem> problems, ClusterSettings cluster)
    {
        if (!Enum.IsDefined(cluster.Mode))
        {
            problems.Add(ConfigProblem.Invalid("cluster.mode", $"must be embedded or cluster, got {(int)cluster.Mode}"));
        }
        if (cluster.Id.Length == 0 || cluster.Id.Length > 64 || !cluster.Id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            problems.Add(ConfigProblem.Invalid("cluster.id",
                $"must be 1 to 64 letters, digits, '-', '_' or '.', got \"{cluster.Id}\""));
        }
        // StackExchange.Redis reads "host:port[,option=value...]"; only the endpoint is checked here, the options
        // by the Redis client when the silo connects.
        var endpoint = cluster.Redis.Split(',')[0].Trim();
        var colon = endpoint.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(endpoint[(colon + 1)..], out var port) || port is < 1 or > 65535)
        {
            problems.Add(ConfigProblem.Invalid("cluster.redis",
                $"must start with host:port (port 1..65535), for example \"127.0.0.1:6379\", got \"{cluster.Redis}\""));
        }
    }

    /// <summary>
    /// In cluster mode node N's silo listens on silo_port + N - 1, gateway_port + N - 1 (and http_port + N - 1): the
    /// ranges must fit and not overlap.
    /// </summary>
    private static void ValidateClusterPorts(List<ConfigProblem> problems, RaftConfig config)
    {
        var last = config.Cluster.Nodes - 1;
        var silo = config.Silo;
        var ranges = new List<(string Key, int First)> { ("silo.silo_port", silo.SiloPort), ("silo.gateway_port", silo.GatewayPort) };
        if (silo.HttpPort != 0) ranges.Add(("silo.http_port", silo.HttpPort));
        foreach (var (key, first) in ranges)
        {
            if (first + last > 65535)
            {
                problems.Add(ConfigProblem.Invalid(key,
                    $"must be at most {65535 - last} in cluster mode (node {config.Cluster.Nodes} listens on it + {last}), got {first}"));
                return;
            }
        }
        if (silo.SiloPort <= silo.GatewayPort + last && silo.GatewayPort <= silo.SiloPort + last)
        {
            problems.Add(ConfigProblem.Invalid("silo.gateway_port",
                $"must be at least {config.Cluster.Nodes} away from silo.silo_port ({silo.SiloPort}) in cluster mode " +
                $"(node N listens on both + N - 1), got {silo.GatewayPort}", "silo.silo_port"));
        }
        foreach (var (key, first) in ranges.Take(2))
        {
            if (silo.HttpPort != 0 && first <= silo.HttpPort + last && silo.HttpPort <= first + last)
            {
                problems.Add(ConfigProblem.Invalid("silo.http_port",
                    $"must be at least {config.Cluster.Nodes} away from {key} ({first}) in cluster mode (node N listens on each + N - 1), got {silo.HttpPort}", key));
            }
        }
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
