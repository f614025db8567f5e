using RaftOrleans.Status;

namespace RaftOrleans.Silo.Http;

/// <summary>What the status page shows (GET /api/status, JSON): every member's status, or why it gave none.</summary>
internal sealed record ClusterView(
    DateTimeOffset TakenAt,
    int? Leader,
    long? Term,
    ClusterView.Membership? Members,
    IReadOnlyList<ClusterView.Node> Nodes,
    IReadOnlyList<ElectionSummary> Elections)
{
    /// <summary>One node: "voter", "learner" or "removed" in the newest configuration, and its status or the problem.</summary>
    public sealed record Node(int Id, string? Member, NodeStatus? Status, string? Problem);

    /// <summary>The newest configuration: voters, learners, the log index that made it, and whether it is known committed.</summary>
    public sealed record Membership(int[] Voters, int[] Learners, long ConfigIndex, bool Committed);
}

/// <summary>
/// Reads the cluster as the status page shows it, from any silo: every node of raft.toml's first configuration and
/// of the newest configuration any of them holds (a node past `cluster.nodes` added since), each asked through its
/// grain with a short deadline; a removed node that does not answer is left out.
/// </summary>
internal sealed class ClusterViewReader(IGrainFactory grains, RaftClusterOptions options)
{
    private static readonly TimeSpan NodeDeadline = TimeSpan.FromSeconds(1);

    public async Task<ClusterView> ReadAsync()
    {
        var nodes = (await Task.WhenAll(options.NodeIds.Select(ProbeAsync))).ToList();
        var newest = ClusterMembers.Newest(Running(nodes));
        if (newest is not null)
        {
            nodes.AddRange(await Task.WhenAll(ClusterMembers.NotAsked(newest, options.NodeIds).Select(ProbeAsync)));
            nodes.RemoveAll(n => n.Status is null && !newest.IsMember(n.Id));
            nodes = nodes.Select(n => n with { Member = ClusterMembers.MembershipOf(newest, n.Id) }).ToList();
        }
        var leader = Running(nodes).Where(s => s.Role == ClusterMembers.LeaderRole).MaxBy(s => s.Term);
        // Crashed nodes remember the elections they won too (not Raft state): the old leader's belong in the history.
        var elections = nodes.Select(n => n.Status).OfType<NodeStatus>().SelectMany(s => s.ElectionsWon)
            .DistinctBy(e => e.Term).OrderBy(e => e.Term).TakeLast(8).ToArray();
        var members = newest is null ? null : new ClusterView.Membership(newest.Voters, newest.Learners, newest.ConfigIndex, newest.ConfigCommitted);
        return new ClusterView(DateTimeOffset.UtcNow, leader?.NodeId, leader?.Term, members, nodes, elections);
    }

    private static IEnumerable<NodeStatus> Running(IEnumerable<ClusterView.Node> nodes) =>
        nodes.Select(n => n.Status).OfType<NodeStatus>().Where(s => !s.Crashed);

    private async Task<ClusterView.Node> ProbeAsync(int id)
    {
        try
        {
            return new ClusterView.Node(id, null, await grains.GetGrain<IRaftNodeGrain>(id).GetStatus().WaitAsync(NodeDeadline), null);
        }
        catch (TimeoutException)
        {
            return new ClusterView.Node(id, null, null, $"no answer within {NodeDeadline.TotalMilliseconds:F0} ms");
        }
        catch (Exception error)
        {
            return new ClusterView.Node(id, null, null, error.Message.Split('\n')[0]);
        }
    }
}
