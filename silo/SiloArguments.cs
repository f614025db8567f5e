using System.CommandLine;
using Microsoft.Extensions.Logging;

namespace RaftOrleans.Silo;

/// <summary>
/// The silo's command line, on System.CommandLine: `[--config PATH] [--node N] [--log-level LEVEL]`, with `--help`,
/// errors naming the option, and suggestions for a misspelt one.
/// </summary>
internal sealed record SiloArguments(string ConfigPath, int? Node, LogLevel? LogLevel)
{
    private static readonly Option<string> Config = new("--config")
    {
        Description = "The raft.toml to read (default: raft.toml in the current directory)",
        DefaultValueFactory = _ => "raft.toml",
    };

    private static readonly Option<int?> NodeOption = new("--node")
    {
        Description = "Cluster mode: the Raft node this silo hosts (1..99; a node past cluster.nodes is one being added)",
        HelpName = "N",
        CustomParser = result =>
        {
            var text = result.Tokens[0].Value;
            if (int.TryParse(text, out var id) && id >= 1) return id;
            result.AddError($"--node: expected a node id (1, 2, ...), got '{text}'");
            return null;
        },
    };

    private static readonly Option<LogLevel?> Level = new("--log-level")
    {
        Description = "Overrides silo.log_level: Trace, Debug, Information, Warning, Error, Critical or None",
        HelpName = "LEVEL",
        CustomParser = result =>
        {
            var text = result.Tokens[0].Value;
            if (Enum.TryParse<LogLevel>(text, ignoreCase: true, out var level) && Enum.IsDefined(level)) return level;
            result.AddError($"--log-level: unknown level '{text}' (Trace, Debug, Information, Warning, Error, Critical or None)");
            return null;
        },
    };

    private static RootCommand Command() => new("RaftOrleans silo: hosts Raft nodes (all of them, or one in cluster mode) and a gateway")
    {
        Config, NodeOption, Level,
    };

    /// <summary>
    /// Parses <paramref name="args"/>. Null with <paramref name="exitCode"/> when the silo must not start: 0 after
    /// `--help` (printed), 2 after a mistake (said on stderr, one line each, with the usage).
    /// </summary>
    public static SiloArguments? Parse(string[] args, out int exitCode)
    {
        var command = Command();
        var result = command.Parse(args);
        exitCode = 0;
        if (result.Errors.Count > 0)
        {
            foreach (var error in result.Errors) Console.Error.WriteLine($"silo: {error.Message}");
            Console.Error.WriteLine("usage: silo [--config PATH] [--node N] [--log-level LEVEL]  (silo --help says more)");
            exitCode = 2;
            return null;
        }
        if (result.Action is not null)
        {
            result.Invoke(); // --help (or --version): prints, starts nothing
            return null;
        }
        return new SiloArguments(result.GetValue(Config)!, result.GetValue(NodeOption), result.GetValue(Level));
    }
}
