using System.Diagnostics;
using RaftOrleans.Client.Commands;
using RaftOrleans.KeyValue.Sessions;
using RaftOrleans.Kv;
using RaftOrleans.Status;
using RaftOrleans.Tests.Integration;
using Xunit;

namespace RaftOrleans.Tests.Processes;

/// <summary>
/// The README's "replace a dead machine" procedure on real processes, with the console a user would type: node X's
/// silo dies (kill -9) for good while writers go on; node 4's silo starts; `client member add 4`, wait until
/// `client member list` shows it caught up, `client member promote 4`, `client member remove X`. The store keeps its
/// data and its writers throughout, and ends on three voters holding one state.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class ReplaceMachineTests
{
    private static readonly TimeSpan Generous = Eventually.Generous;
    private static readonly IReadOnlyDictionary<string, string> NoEnvironment = new Dictionary<string, string>();

    [Fact]
    public async Task A_dead_machine_is_replaced_with_member_add_promote_and_remove()
    {
        await using var cluster = await ProcessCluster.CreateAsync(nodes: 3, spareNodes: 1);
        await using var connection = await cluster.ConnectAsync();
        var context = new CommandContext(cluster.Config, connection.Client, TextWriter.Null, TextWriter.Null);
        var workload = ProcessWorkload.Start(context.Route, writers: 3);
        try
        {
            await workload.WaitForAcknowledgedAsync(20, TimeSpan.Zero, Generous, "before the machine dies");
            var leader = await WaitFor(async () => (await context.ReadStatusAsync()).Leader, "a leader");
            var dead = context.NodeIds.First(id => id != leader.NodeId);
            cluster.Silo(dead).Signal(Signals.Kill);

            await cluster.RestartAsync(4); // the new machine: its silo, empty, outside the configuration
            var refused = await Client("member", "add", "2");
            Assert.True(refused.Exit == 1, refused.Output);
            Assert.Contains("member: refused: node 2 is a voter already; nothing changed", refused.Output);

            var added = await Client("member", "add", "4");
            Assert.True(added.Exit == 0, added.Output);
            Assert.Contains("add node 4 as a learner: committed at log index", added.Output);

            // Caught up: the learner has applied what the leader had committed when it joined.
            var joinedAt = (await context.ReadStatusAsync()).Leader!.CommitIndex;
            await WaitFor(async () => (await context.ReadStatusAsync()).Node(4)?.Status is { LastApplied: var applied } && applied >= joinedAt ? "" : null,
                "node 4 to catch up");
            var list = await Client("member", "list");
            Assert.True(list.Exit == 0, list.Output);
            Assert.Matches(@"│ +4 │ learner +│ Follower +│", list.Output);

            var promoted = await Client("member", "promote", "4");
            Assert.True(promoted.Exit == 0, promoted.Output);
            var removed = await Client("member", "remove", dead.ToString());
            Assert.True(removed.Exit == 0, removed.Output);
            var voters = context.NodeIds.Where(id => id != dead).Append(4).Order().ToArray();
            Assert.Contains($"members now: voters {string.Join(",", voters)}", removed.Output);

            var afterAt = workload.Clock.Elapsed;
            await workload.WaitForAcknowledgedAsync(20, afterAt, Generous, "after the replacement");
            await workload.StopAsync();
            Assert.Empty(workload.Violations);

            // Status shows the new membership and leaves the dead, removed node out.
            var status = await Client("status");
            Assert.Contains($"members: voters {string.Join(", ", voters)} (configuration of log index", status.Output);
            var final = await WaitFor(async () =>
            {
                var nodes = (await context.ReadStatusAsync()).Nodes;
                if (nodes.Select(n => n.NodeId).Order().SequenceEqual(voters) is false || nodes.Any(n => !n.IsRunning)) return null;
                var first = nodes[0].Status!;
                return nodes.All(n => n.Status!.LastApplied == first.LastApplied && n.Status.StateDigest == first.StateDigest) ? nodes : null;
            }, "the three voters to hold one state");
            var reader = new KvSession(context.Route, attempts: 15);
            foreach (var write in workload.AcknowledgedWrites)
            {
                var read = await reader.GetAsync(write.Key);
                Assert.True(read.Result.Status == KvStatus.Ok && read.Result.Value == write.Value,
                    $"acknowledged put {write.Key}={write.Value} reads back as {read.Result}");
            }
            Assert.Equal(final[0].Status!.StateDigest, final.Single(n => n.NodeId == 4).Status!.StateDigest);
        }
        catch (Exception) when (cluster.LogsShown())
        {
            throw;
        }

        Task<(int Exit, string Output)> Client(params string[] arguments) =>
            ConsoleRun.ClientAsync(cluster.ConfigPath, NoEnvironment, Generous, arguments);
    }

    private static Task<T> WaitFor<T>(Func<Task<T?>> condition, string what) where T : class => Eventually.WaitFor(condition, what);
}
