using RaftOrleans.Status;

namespace RaftOrleans.Client.Status;

/// <summary>
/// `status` of a store of several groups without --group: one line per group (leader, term, indexes, the furthest a
/// follower lags, replicas down), the way `etcdctl endpoint status` sums each endpoint up. `--group NAME` shows one in full.
/// </summary>
internal sealed record GroupsOverview(DateTimeOffset TakenAt, IReadOnlyList<GroupLine> Groups)
{
    public static GroupsOverview From(IEnumerable<ClusterSnapshot> groups) =>
        new(DateTimeOffset.UtcNow, groups.Select(GroupLine.From).ToArray());

    /// <summary>Whether every group has a leader (the exit code says so).</summary>
    public bool AllLed => Groups.All(g => g.Leader is not null);

    public void WriteTable(TextWriter output)
    {
        var table = new TextTable("group", "replicas", "leader", "term", "last log", "commit", "applied", "keys", "max lag", "down");
        foreach (var g in Groups)
            table.Add(g.Group, g.Replicas, g.Leader?.ToString() ?? "none", g.Term, g.LastLogIndex, g.CommitIndex, g.LastApplied, g.Keys, g.MaxLag,
                g.Down.Count == 0 ? "" : string.Join(", ", g.Down));
        table.WriteTo(output);
        var led = Groups.Count(g => g.Leader is not null);
        output.WriteLine($"{Groups.Count} groups, {led} with a leader; `client --group NAME status` shows one in full");
    }
}

/// <summary>
/// One group summed up: figures of its leader (none: nulls), the largest lag of a follower the leader knows, and the
/// nodes that did not answer or are crashed.
/// </summary>
internal sealed record GroupLine(string Group, int Replicas, int? Leader, long? Term, long? LastLogIndex, long? CommitIndex,
    long? LastApplied, long? Keys, long? MaxLag, IReadOnlyList<int> Down)
{
    public static GroupLine From(ClusterSnapshot snapshot)
    {
        var leader = snapshot.Leader;
        var lag = leader?.Followers.Select(f => FollowerStatus.Behind(leader.LastLogIndex, f.MatchIndex)).Where(l => l is not null).Max();
        var down = snapshot.Nodes.Where(n => !n.IsRunning).Select(n => n.NodeId).Order().ToArray();
        return new GroupLine(snapshot.Group, snapshot.Configuration?.Voters.Length ?? snapshot.Nodes.Count, leader?.NodeId, leader?.Term, leader?.LastLogIndex, leader?.CommitIndex,
            leader?.LastApplied, leader?.KeyCount, lag, down);
    }
}
