using RaftOrleans.Client.Commands;
using RaftOrleans.Client.Status;

namespace RaftOrleans.Client.Check;

/// <summary>
/// scripts/cluster.sh, through which the kill and pause nemeses act on the silos it started (it knows their
/// process ids, restarts a killed one the way it started it, and touches nothing else). It runs with this
/// console's environment, so RAFT_CLUSTER_DIR and the port variables reach it.
/// </summary>
internal sealed class ClusterScript(string path)
{
    /// <summary>`cluster.sh COMMAND NODE`: kill, pause, resume, restart.</summary>
    public Task RunAsync(string command, int node) => ExternalCommand.RunAsync("bash", path, command, node.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>
    /// Refuses to act when the script's node is not the checked cluster's node (another RAFT_CLUSTER_DIR): a
    /// nemesis must never signal a process the check does not watch.
    /// </summary>
    public async Task VerifySameClusterAsync(int node, ClusterSnapshot snapshot)
    {
        var text = await ExternalCommand.RunAsync("bash", path, "pid", node.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (snapshot.Node(node)?.Status?.ProcessId is { } pid && text != pid.ToString(System.Globalization.CultureInfo.InvariantCulture))
        {
            throw new ExternalCommandException(
                $"{path} says node {node} is process {text}, but the checked cluster's node {node} runs in process {pid}: set RAFT_CLUSTER_DIR to the directory of the cluster you check");
        }
    }
}
