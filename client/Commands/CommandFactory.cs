using System.Globalization;
using RaftOrleans.Client.Bench;
using RaftOrleans.Client.Check;
using RaftOrleans.Client.CommandLine;
using RaftOrleans.Configuration;
using RaftOrleans.Kv;

namespace RaftOrleans.Client.Commands;

/// <summary>
/// Turns the parsed command line into a command, checking every argument first, so that a mistake is
/// reported (exit code 2) before the console spends time connecting to the silo.
/// </summary>
internal static class CommandFactory
{
    /// <exception cref="UsageException">Unknown command, wrong arguments, or a node id outside the cluster.</exception>
    public static IClientCommand Create(ParsedArguments args, RaftConfig config)
    {
        switch (args.Command)
        {
            case "workload":
                args.Expect("[workload] [--seed N]", 0, "--seed");
                return new WorkloadCommand(args.Int("--seed", 0));
            case "put":
                args.Expect("put KEY VALUE", 2);
                return new SingleOperationCommand(KvOperation.Put, args.Positionals[0], args.Positionals[1]);
            case "get":
                args.Expect("get KEY", 1);
                return new SingleOperationCommand(KvOperation.Get, args.Positionals[0], null);
            case "delete":
                args.Expect("delete KEY", 1);
                return new SingleOperationCommand(KvOperation.Delete, args.Positionals[0], null);
            case "status":
                args.Expect("status [--json]", 0, "--json");
                return new StatusCommand(args.Flag("--json"));
            case "crash":
                args.Expect("crash NODE", 1);
                return new CrashCommand(NodeId(args.Positionals[0], config));
            case "restart":
                args.Expect("restart NODE", 1);
                return new RestartCommand(NodeId(args.Positionals[0], config));
            case "transfer-leader":
                args.Expect("transfer-leader [--to NODE]", 0, "--to");
                return new TransferLeaderCommand(args.Flag("--to") ? NodeId(args.Text("--to", ""), config) : null);
            case "crash-leader":
                args.Expect("crash-leader", 0);
                return new CrashLeaderCommand();
            case "tasks":
                args.Expect("tasks [--count N] [--crash-leader-after M]", 0, "--count", "--crash-leader-after");
                var count = args.Int("--count", 1, TasksCommand.DefaultCount)!.Value;
                var crashAfter = args.Int("--crash-leader-after", 0);
                if (crashAfter >= count)
                {
                    throw new UsageException($"--crash-leader-after must be less than --count ({count}), got {crashAfter}");
                }
                return new TasksCommand(count, crashAfter);
            case "failover":
                args.Expect("failover [--tries N] [--kill-silo RESTART-COMMAND]", 0, "--tries", "--kill-silo");
                return new FailoverCommand(args.Int("--tries", 1, FailoverCommand.DefaultTries)!.Value,
                    args.Flag("--kill-silo") ? new SiloKill(args.Text("--kill-silo", "")) : new ReplicaCrash());
            case "bench":
                return new BenchCommand(BenchOptions.From(args, config));
            case "check":
                return new CheckCommand(CheckOptions.From(args, config));
            default:
                throw new UsageException($"unknown command '{args.Command}'; `client --help` lists the commands");
        }
    }

    private static int NodeId(string text, RaftConfig config)
    {
        var nodes = config.Cluster.Nodes;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var nodeId) || nodeId < 1 || nodeId > nodes)
        {
            throw new UsageException($"NODE must be a node id from 1 to {nodes} ([cluster] nodes), got '{text}'");
        }
        return nodeId;
    }
}
