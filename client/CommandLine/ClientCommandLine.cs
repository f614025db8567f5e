using System.CommandLine;
using RaftOrleans.Client.Bench;
using RaftOrleans.Client.Check;
using RaftOrleans.Client.Commands;
using RaftOrleans.Configuration;
using RaftOrleans.Kv;
using RaftOrleans.Raft;

namespace RaftOrleans.Client.CommandLine;

/// <summary>
/// The console's command line on System.CommandLine: every command, its arguments and options, `--help` for each, and
/// a mistake said in one line (exit code 2) before anything connects. Parsing knows nothing of raft.toml; each command
/// is then made from the parse and the loaded configuration (<see cref="Invocation.Make"/>), which may refuse too.
/// </summary>
internal static class ClientCommandLine
{
    private const string ExitCodeHelp =
        "Exit codes: 0 done; 1 refused by the store (key exists, not found, a membership change refused); 2 usage or raft.toml; " +
        "3 unavailable (no silo, no leader, no answer in time); 4 tasks not exactly once; 5 check found a violation; 6 check undecided.";

    private static readonly Option<string> Config = new("--config")
    {
        Description = "The raft.toml to read (default: raft.toml in the current directory)",
        HelpName = "PATH",
        DefaultValueFactory = _ => "raft.toml",
        Recursive = true,
    };

    private static readonly Option<string?> Group = new("--group")
    {
        Description = "The Raft group to address (raft.toml's [groups]): put/get/delete go to it instead of the group the key's hash " +
                      "picks; status shows it in full; node and member commands act on its replicas (default: the first group by name)",
        HelpName = "NAME",
        Recursive = true,
    };

    /// <summary>
    /// What the command line asks for: help (already printed), or a command to make once raft.toml is loaded; and the
    /// group it names, if any (checked against raft.toml by <see cref="GroupProblem"/>).
    /// </summary>
    public sealed record Invocation(string ConfigPath, Func<RaftConfig, IClientCommand>? Make, string? Group = null);

    /// <summary>Why <paramref name="group"/> cannot be addressed with <paramref name="config"/> (no such group), or null.</summary>
    public static string? GroupProblem(string? group, RaftConfig config) =>
        group is null || config.GroupList.Any(g => g.Name == group)
            ? null
            : $"--group: there is no group '{group}' (raft.toml's [groups] declares: {string.Join(", ", config.GroupList.Select(g => g.Name).Order(StringComparer.Ordinal))})";

    /// <exception cref="UsageException">The command line is wrong: an unknown command or option, a missing or bad value.</exception>
    public static Invocation Parse(string[] args)
    {
        var makers = new Dictionary<Command, Func<ParseResult, RaftConfig, IClientCommand>>();
        var root = Root(makers);
        var result = root.Parse(args);
        var command = result.CommandResult.Command;
        if (result.Errors.Count > 0) throw new UsageException(Describe(result, command));
        if (result.Action is not null && result.Action != root.Action)
        {
            result.Invoke(); // --help (or --version): printed
            return new Invocation(result.GetValue(Config)!, null);
        }
        if (!makers.TryGetValue(command, out var make))
            throw new UsageException($"{command.Name} needs one of: {string.Join(", ", command.Subcommands.Select(c => c.Name))} (`client {command.Name} --help`)");
        return new Invocation(result.GetValue(Config)!, config => make(result, config), result.GetValue(Group));
    }

    /// <summary>One line: an unknown word first (with a "did you mean" when one is close), else the first error; then where help is.</summary>
    private static string Describe(ParseResult result, Command command)
    {
        var path = string.Join(" ", Path(result.CommandResult).Skip(1).Prepend("client"));
        var help = $"`{path} --help` says more";
        if (result.UnmatchedTokens.FirstOrDefault() is { } unknown)
        {
            var near = KeySuggestion.Closest(unknown, command.Subcommands.Select(c => c.Name).Concat(command.Options.Select(o => o.Name)));
            return $"unknown command or argument '{unknown}'" + (near is null ? "" : $" (did you mean '{near}'?)") + $"; {help}";
        }
        if (command.Subcommands.Count > 0 && !command.Subcommands.Any(c => c.Name == result.Tokens.LastOrDefault()?.Value) && command is not RootCommand)
            return $"{command.Name} needs one of: {string.Join(", ", command.Subcommands.Select(c => c.Name))}; {help}";
        return $"{result.Errors[0].Message.TrimEnd('.')}; {help}";
    }

    private static IEnumerable<string> Path(System.CommandLine.Parsing.CommandResult result) =>
        result.Parent is System.CommandLine.Parsing.CommandResult parent ? Path(parent).Append(result.Command.Name) : [result.Command.Name];

    private static RootCommand Root(Dictionary<Command, Func<ParseResult, RaftConfig, IClientCommand>> makers)
    {
        var seed = Options.Int("--seed", 0, null, "Seed of the workload's random choices (default: random)");
        var root = new RootCommand("The RaftOrleans console: runs one command against the silo(s) raft.toml names. " + ExitCodeHelp) { Config, Group, seed };
        // No command runs the workload: the root takes no subcommand then (an action of its own says so; it is never invoked).
        root.SetAction(_ => ExitCodes.Ok);
        makers[root] = (p, _) => new WorkloadCommand(p.GetValue(seed));

        var workload = new Command("workload", "The workload from raft.toml [client]: num_clients clients each send requests_per_client random get/put/delete over key_space keys") { seed };
        Add(root, makers, workload, (p, _) => new WorkloadCommand(p.GetValue(seed)));

        var key = new Argument<string>("KEY");
        var value = new Argument<string>("VALUE");
        Add(root, makers, new Command("put", "Store VALUE under KEY if KEY is absent") { key, value },
            (p, _) => new SingleOperationCommand(KvOperation.Put, p.GetValue(key)!, p.GetValue(value)));
        Add(root, makers, new Command("get", "Print the value of KEY") { key }, (p, _) => new SingleOperationCommand(KvOperation.Get, p.GetValue(key)!, null));
        Add(root, makers, new Command("delete", "Remove KEY if present") { key }, (p, _) => new SingleOperationCommand(KvOperation.Delete, p.GetValue(key)!, null));

        var json = Options.Flag("--json", "One JSON object instead of the tables");
        var watch = Options.Flag("--watch", "Redraw the cluster in place every second until Ctrl+C");
        Add(root, makers, new Command("status", "Every node's membership, role, term, log, commit and silo; the leader's followers; recent elections") { json, watch },
            (p, _) => p.GetValue(json) && p.GetValue(watch)
                ? throw new UsageException("status takes --json or --watch, not both")
                : new StatusCommand(p.GetValue(json), p.GetValue(watch)));

        var node = Options.Node("The node's id");
        Add(root, makers, new Command("crash", "Fault injection: NODE stops answering and forgets what it did not persist") { node }, (p, _) => new CrashCommand(p.GetValue(node)));
        Add(root, makers, new Command("restart", "Bring a crashed NODE back from its storage") { node }, (p, _) => new RestartCommand(p.GetValue(node)));
        Add(root, makers, new Command("crash-leader", "Crash the current leader and wait for the next one to be elected"), (_, _) => new CrashLeaderCommand());

        var to = Options.NodeOption("--to", "The node to hand leadership to (default: the most up-to-date follower)");
        Add(root, makers, new Command("transfer-leader", "Hand leadership over before maintenance: the leader stops taking writes, brings NODE up to date and tells it to campaign") { to },
            (p, _) => new TransferLeaderCommand(p.GetValue(to)));

        var member = new Command("member", "The cluster's membership, changed one node at a time (each change answered once committed)");
        root.Subcommands.Add(member);
        Add(member, makers, new Command("list", "Voters and learners, and how far each is behind the leader"), (_, _) => new MemberCommand(null));
        foreach (var (name, kind, what) in new[]
                 {
                     ("add", MembershipChangeKind.AddLearner, "Add NODE as a learner: it catches up without a vote"),
                     ("promote", MembershipChangeKind.Promote, "Make a learner close to the leader's log a voter"),
                     ("remove", MembershipChangeKind.Remove, "Remove NODE (the leader too: it steps down once the change commits)"),
                 })
        {
            var target = Options.Node("The node's id");
            Add(member, makers, new Command(name, what) { target }, (p, _) => new MemberCommand(new MembershipChange(kind, p.GetValue(target))));
        }

        var count = Options.Int("--count", 1, TasksCommand.DefaultCount, "Unique puts to make");
        var crashAfter = Options.Int("--crash-leader-after", 0, null, "Crash the leader after this many completed (default: never)", "M");
        Add(root, makers, new Command("tasks", "N unique puts by num_clients clients, optionally crashing the leader; then every key is read back") { count, crashAfter },
            (p, _) =>
            {
                var (n, m) = (p.GetValue(count)!.Value, p.GetValue(crashAfter));
                if (m >= n) throw new UsageException($"--crash-leader-after must be less than --count ({n}), got {m}");
                return new TasksCommand(n, m);
            });

        var tries = Options.Int("--tries", 1, FailoverCommand.DefaultTries, "Failovers to time");
        var killSilo = Options.Text("--kill-silo", "Cluster mode: kill -9 the leader's silo and restart it with this shell command, {node} standing for its id", "RESTART-COMMAND");
        Add(root, makers, new Command("failover", "Crash the leader N times and time each crash to the next committed write") { tries, killSilo },
            (p, _) => new FailoverCommand(p.GetValue(tries)!.Value, p.GetValue(killSilo) is { } restart ? new SiloKill(restart) : new ReplicaCrash()));

        Add(root, makers, BenchOptions.Command(), (p, config) => new BenchCommand(BenchOptions.From(p, config)));
        Add(root, makers, CheckOptions.Command(), (p, config) => new CheckCommand(CheckOptions.From(p, config)));
        return root;
    }

    private static void Add(Command parent, Dictionary<Command, Func<ParseResult, RaftConfig, IClientCommand>> makers, Command command,
        Func<ParseResult, RaftConfig, IClientCommand> make)
    {
        parent.Subcommands.Add(command);
        makers[command] = make;
    }
}
