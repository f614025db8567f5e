using RaftOrleans.Groups;
using RaftOrleans.Status;

namespace RaftOrleans.Silo.Http;

/// <summary>
/// What the status page shows of one group (GET /api/status?group=NAME, JSON): every member's status, or why it gave
/// none; and the names of all the groups, to switch to another.
/// </summary>
internal sealed record ClusterView(
    string Group,
    IReadOnlyList<string> Groups,
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
/// Reads a group as the status page shows it, from any silo: every node of its first configuration and
/// of the newest configuration any of them holds (a node past `cluster.nodes` added since), each asked through its
/// grain with a short deadline; a removed node that does not answer is left out.
/// </summary>
internal sealed class ClusterViewReader(IGrainFactory grains, RaftClusterOptions options)
{
    private static readonly TimeSpan NodeDeadline = TimeSpan.FromSeconds(1);

    /// <summary>The group the page shows when none is asked for: the first, by name.</summary>
    public string DefaultGroup => options.Groups.All[0].Name;

    public bool HasGroup(string group) => options.Groups.Contains(group);

    public IReadOnlyList<string> GroupNames => options.Groups.All.Select(g => g.Name).ToArray();

    /// <param name="groupName">A group raft.toml declares (<see cref="HasGroup"/>).</param>
    public async Task<ClusterView> ReadAsync(string groupName)
    {
        var group = options.Groups[groupName];
        Task<ClusterView.Node> ProbeAsync(int id) => this.ProbeAsync(group.Name, id);
        var nodes = (await Task.WhenAll(group.Members.Select(ProbeAsync))).ToList();
        var newest = ClusterMembers.Newest(Running(nodes));
        if (newest is not null)
        {
            nodes.AddRange(await Task.WhenAll(ClusterMembers.NotAsked(newest, group.Members).Select(ProbeAsync)));
            nodes.RemoveAll(n => n.Status is null && !newest.IsMember(n.Id));
            nodes = nodes.Select(n => n with { Member = ClusterMembers.MembershipOf(newest, n.Id) }).ToList();
        }
        var leader = Running(nodes).Where(s => s.Role == ClusterMembers.LeaderRole).MaxBy(s => s.Term);
        // Crashed nodes remember the elections they won too (not Raft state): the old leader's belong in the history.
        var elections = nodes.Select(n => n.Status).OfType<NodeStatus>().SelectMany(s => s.ElectionsWon)
            .DistinctBy(e => e.Term).OrderBy(e => e.Term).TakeLast(8).ToArray();
        var members = newest is null ? null : new ClusterView.Membership(newest.Voters, newest.Learners, newest.ConfigIndex, newest.ConfigCommitted);
        return new ClusterView(group.Name, GroupNames, DateTimeOffset.UtcNow, leader?.NodeId, leader?.Term, members, nodes, elections);
    }

    private static IEnumerable<NodeStatus> Running(IEnumerable<ClusterView.Node> nodes) =>
        nodes.Select(n => n.Status).OfType<NodeStatus>().Where(s => !s.Crashed);

    private async Task<ClusterView.Node> ProbeAsync(string group, int id)
    {
        try
        {
            return new ClusterView.Node(id, null, await grains.RaftNode(group, id).GetStatus().WaitAsync(NodeDeadline), null);
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
