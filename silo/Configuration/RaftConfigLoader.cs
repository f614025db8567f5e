using Microsoft.Extensions.Logging;
using Tomlyn;
using Tomlyn.Model;
using Tomlyn.Parsing;
using Tomlyn.Serialization;
using Tomlyn.Syntax;

namespace RaftOrleans.Configuration;

/// <summary>
/// Reads <c>raft.toml</c> into a validated <see cref="RaftConfig"/>. Every section and key is optional;
/// unknown sections and keys, values of the wrong type and values that break a rule are errors. All
/// problems are reported together in one <see cref="RaftConfigException"/>, one line each:
/// <c>raft.toml: raft.election_timeout_min_ms: must be less than raft.election_timeout_max_ms (300), got 400 (line 9)</c>.
/// </summary>
public static class RaftConfigLoader
{
    /// <summary>The configuration file's usual name, at the repository root.</summary>
    public const string DefaultFileName = "raft.toml";

    /// <summary>At most this many syntax errors are listed (later ones are mostly consequences of the first).</summary>
    private const int MaxSyntaxErrorsShown = 10;

    /// <summary>Reads and validates the file at <paramref name="path"/>; errors name the path as given.</summary>
    /// <exception cref="RaftConfigException">The file is missing, unreadable, not valid TOML, or not a valid configuration.</exception>
    public static RaftConfig Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (Directory.Exists(path))
        {
            throw new RaftConfigException(path, [$"{path}: is a directory, expected a TOML configuration file"]);
        }
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new RaftConfigException(path, $"{path}: configuration file not found (looked for {Path.GetFullPath(path)})", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new RaftConfigException(path, $"{path}: cannot read the configuration file: {ex.Message}", ex);
        }
        return Parse(text, path);
    }

    /// <summary>Parses and validates TOML text; <paramref name="sourceName"/> (usually the file path) starts every error line.</summary>
    /// <exception cref="RaftConfigException">The text is not valid TOML or not a valid configuration.</exception>
    public static RaftConfig Parse(string tomlText, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(tomlText);
        ArgumentNullException.ThrowIfNull(sourceName);

        var root = ParseToml(tomlText, sourceName, out var metadata);
        var reader = new TomlConfigReader(root, metadata);
        var config = Map(reader);
        reader.ReportUnknown();

        // A key that could not be read holds its default; rules involving it would only add confusing noise.
        var ruleProblems = RaftConfigValidator.Validate(config)
            .Where(problem => !reader.InvalidKeys.Contains(problem.Key)
                && (problem.RelatedKey is null || !reader.InvalidKeys.Contains(problem.RelatedKey)))
            .Select(problem => (Problem: problem, Line: reader.LineOfPath(problem.Key)));

        var lines = reader.Problems.Concat(ruleProblems)
            .OrderBy(entry => entry.Line ?? int.MaxValue) // stable: problems without a line keep their order, last
            .Select(entry => entry.Line is { } line
                ? $"{sourceName}: {entry.Problem.Message} (line {line})"
                : $"{sourceName}: {entry.Problem.Message}")
            .ToArray();
        if (lines.Length > 0)
        {
            throw new RaftConfigException(sourceName, lines);
        }
        return config;
    }

    private static RaftConfig Map(TomlConfigReader reader)
    {
        var defaults = RaftConfig.Default;

        var cluster = reader.Section("cluster");
        var raft = reader.Section("raft");
        var silo = reader.Section("silo");
        var gateway = reader.Section("gateway");
        var client = reader.Section("client");
        var storage = reader.Section("storage");
        var faults = reader.Section("faults");
        var tls = reader.Section("tls");
        var groups = reader.Section("groups");

        return new RaftConfig
        {
            Cluster = new ClusterSettings
            {
                Nodes = cluster.Int("nodes", defaults.Cluster.Nodes),
                Mode = cluster.EnumName<ClusterMode>("mode", defaults.Cluster.Mode),
                Id = cluster.String("id", defaults.Cluster.Id),
                Redis = cluster.String("redis", defaults.Cluster.Redis),
            },
            Raft = new RaftSettings
            {
                ElectionTimeoutMinMs = raft.Int("election_timeout_min_ms", defaults.Raft.ElectionTimeoutMinMs),
                ElectionTimeoutMaxMs = raft.Int("election_timeout_max_ms", defaults.Raft.ElectionTimeoutMaxMs),
                HeartbeatIntervalMs = raft.Int("heartbeat_interval_ms", defaults.Raft.HeartbeatIntervalMs),
                RpcTimeoutMs = raft.Int("rpc_timeout_ms", defaults.Raft.RpcTimeoutMs),
                MaxEntriesPerAppend = raft.Int("max_entries_per_append", defaults.Raft.MaxEntriesPerAppend),
                MaxInflightAppends = raft.Int("max_inflight_appends", defaults.Raft.MaxInflightAppends),
                PreVote = raft.Bool("pre_vote", defaults.Raft.PreVote),
                Quiesce = raft.Bool("quiesce", defaults.Raft.Quiesce),
            },
            Silo = new SiloSettings
            {
                Address = silo.String("address", defaults.Silo.Address),
                SiloPort = silo.Int("silo_port", defaults.Silo.SiloPort),
                GatewayPort = silo.Int("gateway_port", defaults.Silo.GatewayPort),
                HttpPort = silo.Int("http_port", defaults.Silo.HttpPort),
                OrleansDashboard = silo.Bool("orleans_dashboard", defaults.Silo.OrleansDashboard),
                LogLevel = silo.EnumName<LogLevel>("log_level", defaults.Silo.LogLevel),
            },
            Gateway = new GatewaySettings
            {
                RequestTimeoutMs = gateway.Int("request_timeout_ms", defaults.Gateway.RequestTimeoutMs),
                MaxKeyBytes = gateway.Int("max_key_bytes", defaults.Gateway.MaxKeyBytes),
                MaxValueBytes = gateway.Int("max_value_bytes", defaults.Gateway.MaxValueBytes),
                SessionLifetimeMs = gateway.Int("session_lifetime_ms", defaults.Gateway.SessionLifetimeMs),
                MaxRequestsInFlight = gateway.Int("max_requests_in_flight", defaults.Gateway.MaxRequestsInFlight),
            },
            Client = new ClientSettings
            {
                NumClients = client.Int("num_clients", defaults.Client.NumClients),
                RequestsPerClient = client.Int("requests_per_client", defaults.Client.RequestsPerClient),
                KeySpace = client.Int("key_space", defaults.Client.KeySpace),
            },
            Storage = new StorageSettings
            {
                Kind = storage.EnumName<StorageKind>("kind", defaults.Storage.Kind),
                DataDir = storage.String("data_dir", defaults.Storage.DataDir),
                Fsync = storage.Bool("fsync", defaults.Storage.Fsync),
                SnapshotThreshold = storage.Int("snapshot_threshold", defaults.Storage.SnapshotThreshold),
                SnapshotCatchUpEntries = storage.Int("snapshot_catchup_entries", defaults.Storage.SnapshotCatchUpEntries),
                SnapshotSendMbPerSecond = storage.Int("snapshot_send_mb_per_s", defaults.Storage.SnapshotSendMbPerSecond),
            },
            Faults = new FaultSettings
            {
                Enabled = faults.Bool("enabled", defaults.Faults.Enabled),
            },
            Tls = new TlsSettings
            {
                Enabled = tls.Bool("enabled", defaults.Tls.Enabled),
                Ca = tls.String("ca", defaults.Tls.Ca),
                Certificate = tls.String("certificate", defaults.Tls.Certificate),
                Key = tls.String("key", defaults.Tls.Key),
                ClientCertificate = tls.String("client_certificate", defaults.Tls.ClientCertificate),
                ClientKey = tls.String("client_key", defaults.Tls.ClientKey),
                AdminCertificate = tls.String("admin_certificate", defaults.Tls.AdminCertificate),
                AdminKey = tls.String("admin_key", defaults.Tls.AdminKey),
            },
            Groups = groups.AllInts().Select(entry => new GroupSettings(entry.Key, entry.Value)).ToArray(),
        };
    }

    /// <summary>TOML text to a table model with per-key source spans; any syntax error throws with line and column.</summary>
    private static TomlTable ParseToml(string tomlText, string sourceName, out ITomlMetadataStore metadata)
    {
        // The syntax tree parser reports every error (with positions), including TOML's semantic ones
        // (a key or table defined twice), which the model deserializer would silently let the last one win.
        var document = SyntaxParser.Parse(tomlText, sourceName, validate: true);
        if (document.HasErrors)
        {
            throw SyntaxErrors(sourceName, document.Diagnostics);
        }

        var store = new TomlMetadataStore();
        metadata = store;
        var options = new TomlSerializerOptions
        {
            SourceName = sourceName,
            MetadataStore = store,
            DuplicateKeyHandling = TomlDuplicateKeyHandling.Error,
        };
        try
        {
            return TomlSerializer.Deserialize<TomlTable>(tomlText, options) ?? new TomlTable();
        }
        catch (TomlException ex)
        {
            var where = ex.Line is { } line ? $" (line {line}, column {ex.Column})" : "";
            var reason = ex.Diagnostics is { Count: > 0 } diagnostics ? diagnostics[0].Message : ex.Message;
            throw new RaftConfigException(sourceName, $"{sourceName}: syntax error: {reason}{where}", ex);
        }
    }

    private static RaftConfigException SyntaxErrors(string sourceName, DiagnosticsBag diagnostics)
    {
        var errors = diagnostics.Where(d => d.Kind == DiagnosticMessageKind.Error).ToArray();
        var lines = errors.Take(MaxSyntaxErrorsShown)
            .Select(d => $"{sourceName}: syntax error: {d.Message} (line {d.Span.Start.Line + 1}, column {d.Span.Start.Column + 1})")
            .ToList();
        if (errors.Length > MaxSyntaxErrorsShown)
        {
            lines.Add($"{sourceName}: ... and {errors.Length - MaxSyntaxErrorsShown} more syntax errors");
        }
        return new RaftConfigException(sourceName, lines);
    }
}
