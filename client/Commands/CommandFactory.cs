using System.Globalization;
using RaftOrleans.Client.Bench;
using RaftOrleans.Client.Check;
using RaftOrleans.Client.CommandLine;
using RaftOrleans.Configuration;
using RaftOrleans.Kv;
using RaftOrleans.Raft;

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
                return new CrashCommand(NodeId(args.Positionals[0]));
            case "restart":
                args.Expect("restart NODE", 1);
                return new RestartCommand(NodeId(args.Positionals[0]));
            case "transfer-leader":
                args.Expect("transfer-leader [--to NODE]", 0, "--to");
                return new TransferLeaderCommand(args.Flag("--to") ? NodeId(args.Text("--to", "")) : null);
            case "member":
                return Member(args);
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

    private const string MemberUsage = "member list | add NODE | promote NODE | remove NODE";

    private static MemberCommand Member(ParsedArguments args)
    {
        var action = args.Positionals.Count > 0 ? args.Positionals[0] : null;
        switch (action)
        {
            case "list":
                args.Expect(MemberUsage, 1);
                return new MemberCommand(null);
            case "add" or "promote" or "remove":
                args.Expect(MemberUsage, 2);
                var kind = action switch
                {
                    "add" => MembershipChangeKind.AddLearner,
                    "promote" => MembershipChangeKind.Promote,
                    _ => MembershipChangeKind.Remove,
                };
                return new MemberCommand(new MembershipChange(kind, NodeId(args.Positionals[1])));
            default:
                throw new UsageException(action is null
                    ? $"member needs an action; usage: client {MemberUsage}"
                    : $"unknown member action '{action}'; usage: client {MemberUsage}");
        }
    }

    /// <summary>
    /// Any node id a cluster may have (1..<see cref="ClusterConfig.MaxNodeId"/>): membership changes add nodes past
    /// raft.toml's first configuration, so whether the node exists is for the cluster to say.
    /// </summary>
    private static int NodeId(string text)
    {
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var nodeId) || nodeId < 1 || nodeId > ClusterConfig.MaxNodeId)
        {
            throw new UsageException($"NODE must be a node id from 1 to {ClusterConfig.MaxNodeId}, got '{text}'");
        }
        return nodeId;
    }
}
