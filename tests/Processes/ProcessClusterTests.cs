using System.Diagnostics;
using RaftOrleans.Client.Commands;
using RaftOrleans.Client.Connection;
using RaftOrleans.KeyValue.Sessions;
using RaftOrleans.Kv;
using RaftOrleans.Raft;
using RaftOrleans.Status;
using RaftOrleans.Tests.Integration;
using Xunit;

namespace RaftOrleans.Tests.Processes;

/// <summary>
/// Cluster mode on real processes: Redis and three silo processes, one Raft node each, driven through the client
/// console's own connection and sessions. The leader's silo is killed with kill -9 or paused with SIGSTOP while
/// writers go on; afterwards every acknowledged write reads back, no request took effect twice, and every node
/// holds the same state. Waits are on conditions with generous deadlines, never fixed sleeps.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class ProcessClusterTests
{
    private static readonly TimeSpan Generous = Eventually.Generous;
    private const int Writers = 4;

    [Fact]
    public async Task Kill_9_of_the_leader_silo_then_its_restart_loses_nothing_acknowledged()
    {
        await using var cluster = await ProcessCluster.CreateAsync(nodes: 3);
        await using var connection = await cluster.ConnectAsync();
        var context = Context(cluster, connection);
        var workload = ProcessWorkload.Start(context.Route, Writers);
        try
        {
            await workload.WaitForAcknowledgedAsync(20, TimeSpan.Zero, Generous, "before the kill");
            var leader = await StableLeader(context);
            var survivors = (await context.ReadStatusAsync()).Nodes.Where(n => n.NodeId != leader.NodeId).Select(n => n.Status!).ToArray();

            cluster.Silo(leader.NodeId).Signal(Signals.Kill);
            var killedAt = workload.Clock.Elapsed;
            await workload.WaitForAcknowledgedAsync(20, killedAt, Generous, $"after kill -9 of node {leader.NodeId}'s silo");

            await cluster.RestartAsync(leader.NodeId);
            var restartedAt = workload.Clock.Elapsed;
            await workload.WaitForAcknowledgedAsync(20, restartedAt, Generous, "after the restart");
            await workload.StopAsync();

            var back = await WaitFor(async () => (await context.ReadStatusAsync()).Nodes.Single(n => n.NodeId == leader.NodeId).Status,
                $"node {leader.NodeId} to answer from its restarted silo");
            Assert.Equal(cluster.Silo(leader.NodeId).Pid, back.ProcessId);
            // The other nodes rode it out where they were: none of their replicas was restarted by Orleans.
            foreach (var survivor in survivors)
            {
                var now = (await context.Node(survivor.NodeId).GetStatus()).ActivatedAt;
                Assert.True(now == survivor.ActivatedAt, $"node {survivor.NodeId} was reactivated ({survivor.ActivatedAt:O} -> {now:O})");
            }
            await AssertHealthy(cluster, context, workload);
        }
        catch (Exception) when (cluster.LogsShown())
        {
            throw;
        }
    }

    [Fact]
    public async Task A_paused_leader_silo_is_replaced_and_steps_down_when_it_wakes()
    {
        await using var cluster = await ProcessCluster.CreateAsync(nodes: 3);
        await using var connection = await cluster.ConnectAsync();
        var context = Context(cluster, connection);
        var workload = ProcessWorkload.Start(context.Route, Writers);
        try
        {
            await workload.WaitForAcknowledgedAsync(20, TimeSpan.Zero, Generous, "before the pause");
            var paused = await StableLeader(context);

            cluster.Silo(paused.NodeId).Signal(Signals.Stop);
            var pausedAt = workload.Clock.Elapsed;
            // A successor is elected (the paused leader's followers time out) and writes go on without it.
            var successor = await WaitFor(async () => (await context.ReadStatusAsync()).Leader is { } l && l.Term > paused.Term ? l : null,
                "a new leader while the old one is paused");
            await workload.WaitForAcknowledgedAsync(20, pausedAt, Generous, $"while node {paused.NodeId}'s silo is paused");
            // Status reaches every other node, even one whose calls the Orleans client routes through the paused gateway.
            await WaitFor(async () => (await context.ReadStatusAsync()).Nodes.All(n => n.NodeId == paused.NodeId || n.Status is not null) ? "" : null,
                "every node but the paused one to answer status");
            Assert.True(workload.Clock.Elapsed - pausedAt > cluster.Config.Raft.ElectionTimeoutMax,
                "the pause must outlast an election timeout");

            cluster.Silo(paused.NodeId).Signal(Signals.Continue);
            var woke = await WaitFor(async () => (await context.ReadStatusAsync()).Nodes.Single(n => n.NodeId == paused.NodeId).Status is
                    { Role: not "Leader" } s && s.Term >= successor.Term ? s : null,
                $"node {paused.NodeId} to step down once it wakes");
            Assert.NotEqual("Leader", woke.Role);
            var resumedAt = workload.Clock.Elapsed;
            await workload.WaitForAcknowledgedAsync(20, resumedAt, Generous, "after the resume");
            await workload.StopAsync();
            await AssertHealthy(cluster, context, workload);
        }
        catch (Exception) when (cluster.LogsShown())
        {
            throw;
        }
    }

    [Fact]
    public async Task Start_up_refuses_what_it_cannot_run_safely_with_one_line()
    {
        // Node 1 alone (no quorum: none is needed to refuse a second claim to it).
        await using var cluster = await ProcessCluster.CreateAsync(nodes: 3, start: [1]);
        var toml = await File.ReadAllTextAsync(cluster.ConfigPath);

        await AssertRefused(cluster, 2, $"silo: --node {ClusterConfig.MaxNodeId + 1}: node ids are 1..{ClusterConfig.MaxNodeId}",
            "--config", cluster.ConfigPath, "--node", $"{ClusterConfig.MaxNodeId + 1}");

        // The command line (System.CommandLine): a mistake is one line naming the option, exit code 2.
        await AssertRefused(cluster, 2, "silo: --node: expected a node id (1, 2, ...), got 'two'", "--config", cluster.ConfigPath, "--node", "two");
        await AssertRefused(cluster, 2, "silo: Unrecognized command or argument '--verbose'", "--config", cluster.ConfigPath, "--verbose");

        // A port of node 2's silo taken by another process: said with the port and the key, before anything starts.
        var httpPort = cluster.Config.HttpPortOf(2)!.Value;
        var squatter = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, httpPort);
        squatter.Start();
        try
        {
            await AssertRefused(cluster, 1, $"silo: cannot start: port {httpPort} on 127.0.0.1 (node 2's: silo.http_port + 1) is already in use by another process",
                "--config", cluster.ConfigPath, "--node", "2");
        }
        finally
        {
            squatter.Stop();
        }

        var twin = await Variant(cluster, "twin.toml", OtherPorts(toml, cluster) + "\n[storage]\ndata_dir = \"twin\"\n");
        await AssertRefused(cluster, 1, "silo: cannot start: another active silo", "--config", twin, "--node", "1");

        var closedPort = Processes.FreePorts.Find(1);
        var noRedis = await Variant(cluster, "no-redis.toml",
            toml.Replace(cluster.Redis.Endpoint, $"127.0.0.1:{closedPort}") + "\n[storage]\ndata_dir = \"no-redis\"\n");
        await AssertRefused(cluster, 1, $"silo: cannot start: Redis at 127.0.0.1:{closedPort} (cluster.redis) is not reachable",
            "--config", noRedis, "--node", "2");

        // Node 1's directory where node 2's should be: copied, renamed, or data_dir pointed at the wrong place.
        CopyDirectory(Path.Combine(cluster.Directory, "data", "main", "node-1"), Path.Combine(cluster.Directory, "swapped", "main", "node-2"));
        var swapped = await Variant(cluster, "swapped.toml", OtherPorts(toml, cluster) + "\n[storage]\ndata_dir = \"swapped\"\n");
        await AssertRefused(cluster, 1, "belongs to someone else: OWNER says \"raftorleans node 1 of group main of cluster", "--config", swapped, "--node", "2");

        // The running store's data directory with other groups: refused before anything of it is opened.
        var regrouped = await Variant(cluster, "regrouped.toml", OtherPorts(toml, cluster) + "\n[groups]\nmain = 1\nother = 1\n");
        await AssertRefused(cluster, 1, "changing the groups of an existing store is not supported", "--config", regrouped, "--node", "2");
    }

    private static async Task AssertRefused(ProcessCluster cluster, int exitCode, string line, params string[] arguments)
    {
        var silo = cluster.Run(arguments);
        var exit = await silo.WaitForExitAsync(Generous);
        var output = silo.Output;
        Assert.True(exit == exitCode, $"expected exit code {exitCode}, got {exit}: {output}");
        Assert.Single(output.Split('\n'), l => l.StartsWith("silo:", StringComparison.Ordinal));
        Assert.Contains(line, output);
        Assert.False(output.Contains("   at ", StringComparison.Ordinal), $"a stack trace in: {output}");
    }

    private static async Task AssertHealthy(ProcessCluster cluster, CommandContext context, ProcessWorkload workload)
    {
        Assert.Empty(workload.Violations);
        // Every node converges to the same state, then every acknowledged write reads back (through ReadIndex).
        await WaitFor(async () =>
        {
            var nodes = (await context.ReadStatusAsync()).Nodes.Select(n => n.Status).ToArray();
            if (nodes.Any(n => n is null or { Crashed: true })) return null;
            var first = nodes[0]!;
            return nodes.All(n => n!.LastApplied == first.LastApplied && n.StateDigest == first.StateDigest) ? "" : null;
        }, "every node to hold the same state");
        var reader = new KvSession(context.Route, attempts: 15);
        foreach (var write in workload.AcknowledgedWrites)
        {
            var read = await reader.GetAsync(write.Key);
            Assert.True(read.Result.Status == KvStatus.Ok && read.Result.Value == write.Value,
                $"acknowledged put {write.Key}={write.Value} reads back as {read.Result}");
        }
    }

    private static async Task<NodeStatus> StableLeader(CommandContext context) =>
        await WaitFor(async () =>
        {
            var snapshot = await context.ReadStatusAsync();
            var live = snapshot.Nodes.Where(n => n.IsRunning).Select(n => n.Status!).ToArray();
            return snapshot.Leader is { } leader && live.Length == context.NodeIds.Count
                   && live.All(s => s.Term == leader.Term && s.LeaderId == leader.NodeId) ? leader : null;
        }, "a leader followed by every node");

    private static Task<T> WaitFor<T>(Func<Task<T?>> condition, string what) where T : class => Eventually.WaitFor(condition, what);

    private static CommandContext Context(ProcessCluster cluster, ClusterConnection connection) =>
        new(cluster.Config, connection.Client, TextWriter.Null, TextWriter.Null);

    private static async Task<string> Variant(ProcessCluster cluster, string name, string toml)
    {
        var path = Path.Combine(cluster.Directory, name);
        await File.WriteAllTextAsync(path, toml);
        return path;
    }

    /// <summary>The same cluster (Redis, id) on ports of its own, so a second silo for a node can start beside the first.</summary>
    private static string OtherPorts(string toml, ProcessCluster cluster)
    {
        var ports = Processes.FreePorts.Ranges(3, 3);
        return toml
            .Replace($"silo_port = {cluster.Config.Silo.SiloPort}", $"silo_port = {ports[0]}")
            .Replace($"gateway_port = {cluster.Config.Silo.GatewayPort}", $"gateway_port = {ports[1]}")
            .Replace($"http_port = {cluster.Config.Silo.HttpPort}", $"http_port = {ports[2]}");
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        // The running node's locks are held (and would not be copied by a person either).
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories).Where(f => Path.GetFileName(f) != "LOCK"))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
