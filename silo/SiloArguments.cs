using Microsoft.Extensions.Logging;

namespace RaftOrleans.Silo;

/// <summary>The silo's command line: `[--config PATH] [--node N] [--log-level LEVEL]`.</summary>
internal sealed record SiloArguments(string ConfigPath, int? Node, LogLevel? LogLevel)
{
    public const string Usage = "usage: silo [--config raft.toml] [--node N (cluster mode: the Raft node this silo hosts)] " +
                                "[--log-level Trace|Debug|Information|Warning|Error|Critical|None]";

    /// <summary>Parses <paramref name="args"/>; on a mistake returns null and says why in <paramref name="error"/>.</summary>
    public static SiloArguments? Parse(string[] args, out string? error)
    {
        var config = "raft.toml";
        int? node = null;
        LogLevel? level = null;
        error = null;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--config" when value is not null:
                    config = value;
                    i++;
                    break;
                case "--node" when value is not null:
                    if (!int.TryParse(value, out var id) || id < 1)
                    {
                        error = $"--node: expected a node id (1, 2, ...), got '{value}'";
                        return null;
                    }
                    node = id;
                    i++;
                    break;
                case "--log-level" when value is not null:
                    if (!Enum.TryParse<LogLevel>(value, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed))
                    {
                        error = $"--log-level: unknown level '{value}'";
                        return null;
                    }
                    level = parsed;
                    i++;
                    break;
                default:
                    error = $"unexpected argument '{args[i]}'";
                    return null;
            }
        }
        return new SiloArguments(config, node, level);
    }
}
