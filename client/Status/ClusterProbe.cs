using RaftOrleans.Client.Commands;
using RaftOrleans.Client.Connection;
using RaftOrleans.KeyValue.Sessions;
using RaftOrleans.Status;

namespace RaftOrleans.Client.Status;

/// <summary>Reads the status of every node of one group in parallel; a node that does not answer is reported, not waited for.</summary>
internal static class ClusterProbe
{
    /// <summary>A node answers GetStatus from memory at once; anything slower is worth showing as a problem.</summary>
    public static readonly TimeSpan NodeTimeout = TimeSpan.FromSeconds(2);

    /// <param name="manySilos">
    /// Cluster mode: a lost connection is one gateway's problem, shown on that node; with one silo (embedded) it
    /// is thrown, because then nothing answers at all.
    /// </param>
    /// <param name="nodeTimeout">How long a node may take to answer (default <see cref="NodeTimeout"/>).</param>
    /// <remarks>
    /// The nodes asked are raft.toml's first configuration (<paramref name="nodeIds"/>) and then whoever the newest
    /// configuration the answers name besides: membership changes add nodes raft.toml does not list. A node that is no
    /// longer a member and does not answer (a dead machine, removed) is left out; one that answers is shown, as removed.
    /// </remarks>
    public static async Task<ClusterSnapshot> ReadAsync(IGrainFactory grains, string group, IReadOnlyList<int> nodeIds, bool manySilos, TimeSpan? nodeTimeout = null)
    {
        var timeout = nodeTimeout ?? NodeTimeout;
        var probes = (await Task.WhenAll(nodeIds.Select(nodeId => ProbeAsync(grains, group, nodeId, manySilos, timeout)))).ToList();
        if (new ClusterSnapshot(DateTimeOffset.UtcNow, probes).Configuration is { } config)
        {
            var more = ClusterMembers.NotAsked(config, nodeIds);
            probes.AddRange(await Task.WhenAll(more.Select(nodeId => ProbeAsync(grains, group, nodeId, manySilos, timeout))));
            probes.RemoveAll(probe => probe.Status is null && !config.IsMember(probe.NodeId));
        }
        return new ClusterSnapshot(DateTimeOffset.UtcNow, probes, group);
    }

    private static async Task<NodeProbe> ProbeAsync(IGrainFactory grains, string group, int nodeId, bool manySilos, TimeSpan timeout)
    {
        try
        {
            var node = new NodeHandle(grains, group, nodeId, manySilos);
            // Cluster mode: a gateway may be a paused silo's; the same question through a second gateway picked at
            // random answers anyway.
            var call = manySilos ? FirstAnswer.Of(node.GetStatus(timeout), node.GetStatus(timeout)) : node.GetStatus(timeout);
            var status = await call.WaitAsync(timeout);
            return new NodeProbe(nodeId, status, null);
        }
        catch (TimeoutException)
        {
            return new NodeProbe(nodeId, null, $"no answer within {timeout.TotalMilliseconds:F0} ms (its silo is paused, overloaded or unreachable)");
        }
        catch (RaftNodeUnavailableException error)
        {
            return new NodeProbe(nodeId, null, ConnectionErrors.FirstLine(error));
        }
        catch (Exception error) when (manySilos || !ConnectionErrors.IsLostConnection(error))
        {
            return new NodeProbe(nodeId, null, $"{error.GetType().Name}: {ConnectionErrors.FirstLine(error)}");
        }
    }
}
