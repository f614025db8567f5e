using System.Globalization;

namespace RaftOrleans.Client.CommandLine;

/// <summary>
/// The command line split into a command word, its positional arguments and its options. Hand-written
/// rather than a library: the grammar is a handful of words, and every mistake must become a one-line
/// message and exit code 2, never an exception trace.
/// </summary>
internal sealed class ParsedArguments
{
    /// <summary>Options followed by a value (<c>--count 1000</c>); every other option is a flag.</summary>
    private static readonly HashSet<string> ValueOptions =
        new(["--config", "--count", "--crash-leader-after", "--tries", "--seed",
              "--clients", "--seconds", "--mix", "--keys", "--value-size", "--warmup", "--silo-pid", "--kill-silo",
              "--nemesis", "--history", "--cluster-script", "--to"], StringComparer.Ordinal);

    private static readonly HashSet<string> FlagOptions = new(["--json", "--help"], StringComparer.Ordinal);

    private readonly Dictionary<string, string?> _options;

    private ParsedArguments(string command, IReadOnlyList<string> positionals, Dictionary<string, string?> options)
    {
        Command = command;
        Positionals = positionals;
        _options = options;
    }

    /// <summary>The command word, lower case; <c>workload</c> when none was given.</summary>
    public string Command { get; }

    /// <summary>The words after the command that are not options, in order.</summary>
    public IReadOnlyList<string> Positionals { get; }

    /// <summary><c>--config PATH</c>, or raft.toml in the current directory.</summary>
    public string ConfigPath => _options.GetValueOrDefault("--config") ?? "raft.toml";

    public bool WantsHelp => _options.ContainsKey("--help");

    /// <exception cref="UsageException">An unknown option, or an option without its value.</exception>
    public static ParsedArguments Parse(IReadOnlyList<string> args)
    {
        var options = new Dictionary<string, string?>(StringComparer.Ordinal);
        var words = new List<string>();
        var onlyWordsFollow = false;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            // After "--" everything is a word, so a value may itself start with dashes: put k -- --v.
            // A negative number is a word too: put k -5.
            if (onlyWordsFollow || !arg.StartsWith('-') || arg == "-" || char.IsAsciiDigit(arg[1]))
            {
                words.Add(arg);
                continue;
            }
            if (arg == "--")
            {
                onlyWordsFollow = true;
                continue;
            }
            var name = arg == "-h" ? "--help" : arg;
            string? value = null;
            var equals = name.IndexOf('=');
            if (equals > 0)
            {
                value = name[(equals + 1)..];
                name = name[..equals];
            }
            if (ValueOptions.Contains(name))
            {
                if (value is null)
                {
                    if (i + 1 >= args.Count)
                    {
                        throw new UsageException($"{name} needs a value");
                    }
                    value = args[++i];
                }
            }
            else if (!FlagOptions.Contains(name) || value is not null)
            {
                throw new UsageException($"unknown option '{arg}'");
            }
            if (!options.TryAdd(name, value))
            {
                throw new UsageException($"{name} given twice");
            }
        }

        var command = words.Count == 0 ? "workload" : words[0].ToLowerInvariant();
        return new ParsedArguments(command, words.Skip(1).ToArray(), options);
    }

    public bool Flag(string name) => _options.ContainsKey(name);

    /// <summary>The text of a value option, or <paramref name="fallback"/> when absent.</summary>
    public string Text(string name, string fallback) => _options.GetValueOrDefault(name) ?? fallback;

    /// <summary>An integer option of at least <paramref name="min"/>, or <paramref name="fallback"/> when absent.</summary>
    public int? Int(string name, int min, int? fallback = null)
    {
        if (!_options.TryGetValue(name, out var text) || text is null)
        {
            return fallback;
        }
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min)
        {
            throw new UsageException($"{name} must be an integer of at least {min}, got '{text}'");
        }
        return value;
    }

    /// <summary>Checks the command got exactly the words it names and no option it does not take.</summary>
    public void Expect(string usage, int positionals, params string[] allowedOptions)
    {
        if (Positionals.Count != positionals)
        {
            throw new UsageException(Positionals.Count < positionals
                ? $"missing argument; usage: client {usage}"
                : $"unexpected argument '{Positionals[positionals]}'; usage: client {usage}");
        }
        foreach (var name in _options.Keys)
        {
            if (name != "--config" && name != "--help" && !allowedOptions.Contains(name))
            {
                throw new UsageException($"{Command} takes no {name} option; usage: client {usage}");
            }
        }
    }
}
