using System.Diagnostics;
using RaftOrleans.Status;

namespace RaftOrleans.Client.Commands;

/// <summary>How `failover` takes the leader down and brings it back.</summary>
internal interface IFailoverFault
{
    /// <summary>"crashed node 3", "killed node 3's silo (kill -9 1234)".</summary>
    Task<string> DownAsync(CommandContext context, NodeStatus leader);

    Task UpAsync(CommandContext context, int node);
}

/// <summary>Fault injection inside the silo: the node grain's replica crashes and restarts from its storage.</summary>
internal sealed class ReplicaCrash : IFailoverFault
{
    public async Task<string> DownAsync(CommandContext context, NodeStatus leader)
    {
        await context.Node(leader.NodeId).Crash();
        return $"crashed node {leader.NodeId}";
    }

    public Task UpAsync(CommandContext context, int node) => context.Node(node).Restart();
}

/// <summary>
/// The leader's whole silo process killed with SIGKILL (it must run on this machine: the pid comes from status),
/// then started again by <paramref name="restartCommand"/>, a shell command in which {node} stands for the node id
/// (e.g. "scripts/cluster.sh restart {node}").
/// </summary>
internal sealed class SiloKill(string restartCommand) : IFailoverFault
{
    public Task<string> DownAsync(CommandContext context, NodeStatus leader)
    {
        if (leader.ProcessId is not { } pid)
            throw new FailoverFaultException($"node {leader.NodeId} did not say which process hosts it");
        try
        {
            using var silo = Process.GetProcessById(pid);
            silo.Kill(); // SIGKILL on Linux: kill -9
        }
        catch (ArgumentException)
        {
            throw new FailoverFaultException($"node {leader.NodeId}'s silo (pid {pid}) is not a process of this machine; run failover --kill-silo beside the cluster");
        }
        return Task.FromResult($"killed node {leader.NodeId}'s silo (kill -9 {pid})");
    }

    public async Task UpAsync(CommandContext context, int node)
    {
        var command = restartCommand.Replace("{node}", node.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        try
        {
            await ExternalCommand.RunAsync("sh", "-c", command);
        }
        catch (ExternalCommandException error)
        {
            throw new FailoverFaultException(error.Message);
        }
    }
}

/// <summary>The fault could not be applied or undone; the message says why.</summary>
internal sealed class FailoverFaultException(string message) : Exception(message);
