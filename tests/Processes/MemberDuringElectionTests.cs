using RaftOrleans.Client.Commands;
using RaftOrleans.Tests.Integration;
using Xunit;

namespace RaftOrleans.Tests.Processes;

/// <summary>
/// `client member` typed while no node leads (the leader's silo just died) waits for the next leader, and asks again
/// while that leader refuses for its first moments, instead of failing: the console a user would type, on real
/// processes, with elections slowed down so that the console starts before the next leader is elected.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class MemberDuringElectionTests
{
    private static readonly IReadOnlyDictionary<string, string> NoEnvironment = new Dictionary<string, string>();

    [Fact]
    public async Task A_change_asked_while_no_node_leads_waits_for_the_next_leader()
    {
        // A follower campaigns 8 s after it last heard its leader's silo, far longer than the console takes to start even
        // on a busy machine (1-2 s); the console waits up to 20 s (its request deadline).
        await using var cluster = await ProcessCluster.CreateAsync(nodes: 3, spareNodes: 1, requestTimeoutMs: 20_000, raft: """
            election_timeout_min_ms = 8000
            election_timeout_max_ms = 8500
            """);
        await using var connection = await cluster.ConnectAsync();
        var context = new CommandContext(cluster.Config, connection.Client, TextWriter.Null, TextWriter.Null);
        try
        {
            var leader = await Eventually.WaitFor(async () => (await context.ReadStatusAsync()).Leader, "a leader");
            cluster.Silo(leader.NodeId).Signal(Signals.Kill);

            var added = await ConsoleRun.ClientAsync(cluster.ConfigPath, NoEnvironment, Eventually.Generous, "member", "add", "4");
            Assert.True(added.Exit == 0, added.Output);
            Assert.Contains("add node 4 as a learner: committed at log index", added.Output);
            var next = (await context.ReadStatusAsync()).Leader;
            Assert.NotNull(next);
            Assert.NotEqual(leader.NodeId, next.NodeId);
            Assert.True(next.Learners.Contains(4), $"learners of node {next.NodeId}: {string.Join(",", next.Learners)}");
            // Not a vacuous pass: the console found no leader and waited (it started long before the 8 s were over).
            Assert.Contains("member: no node leads right now; waiting up to 20000 ms for one", added.Output);
        }
        catch (Exception) when (cluster.LogsShown())
        {
            throw;
        }
    }
}
