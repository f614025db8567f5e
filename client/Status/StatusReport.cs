using RaftOrleans.Status;

namespace RaftOrleans.Client.Status;

/// <summary>
/// What `status` shows, shaped for both renderings: the table reads it and `status --json` serialises it
/// as it is (camelCase names). Values a crashed or silent node cannot give are null, not zero.
/// </summary>
internal sealed record StatusReport(
    DateTimeOffset TakenAt,
    IReadOnlyList<NodeReport> Nodes,
    LeaderReport? Leader,
    IReadOnlyList<ElectionReport> Elections,
    MembershipReport? Membership)
{
    public static StatusReport From(ClusterSnapshot snapshot)
    {
        var nodes = snapshot.Nodes.Select(probe => NodeReport.From(probe, snapshot.MembershipOf(probe.NodeId))).ToArray();
        var leader = snapshot.Leader is { } status ? LeaderReport.From(status, snapshot.LeaderElection) : null;
        var elections = snapshot.RecentElections.Select(ElectionReport.From).ToArray();
        var membership = snapshot.Configuration is { } config ? MembershipReport.From(config) : null;
        return new StatusReport(snapshot.TakenAt, nodes, leader, elections, membership);
    }

    /// <summary>Milliseconds to one decimal: finer digits are noise from the clocks.</summary>
    internal static double Ms(double milliseconds) => Math.Round(milliseconds, 1);
}

/// <summary>One node as `status` shows it. <see cref="Leader"/> is the leader this node follows (or is).</summary>
internal sealed record NodeReport(
    int Id,
    bool Reachable,
    bool Crashed,
    string Role,
    long? Term,
    int? VotedFor,
    int? Leader,
    long? LastLogIndex,
    long? CommitIndex,
    long? LastApplied,
    long? SnapshotIndex,
    long? KeyCount,
    string? StateDigest,
    string? Problem,
    string? Silo,
    int? ProcessId,
    string? Member)
{
    /// <param name="member">What the node is in the newest configuration: voter, learner or removed.</param>
    public static NodeReport From(NodeProbe probe, string? member)
    {
        if (probe.Status is not { Crashed: false } status)
        {
            var crashed = probe.Status is not null;
            return new NodeReport(probe.NodeId, Reachable: crashed, crashed, crashed ? "Crashed" : "Unreachable",
                null, null, null, null, null, null, null, null, null, probe.Problem, probe.Status?.Silo, probe.Status?.ProcessId, member);
        }
        return new NodeReport(status.NodeId, Reachable: true, Crashed: false, status.Quiesced ? $"{status.Role} (quiesced)" : status.Role, status.Term, status.VotedFor,
            status.LeaderId, status.LastLogIndex, status.CommitIndex, status.LastApplied, status.SnapshotIndex, status.KeyCount,
            status.StateDigest, Problem: null, status.Silo, status.ProcessId, member);
    }
}

/// <summary>The newest configuration a node holds: voters, learners, the log index that made it, and whether that node knows it committed.</summary>
internal sealed record MembershipReport(IReadOnlyList<int> Voters, IReadOnlyList<int> Learners, long ConfigIndex, bool Committed, int ReportedBy)
{
    public static MembershipReport From(NodeStatus status) =>
        new(status.Voters, status.Learners, status.ConfigIndex, status.ConfigCommitted, status.NodeId);

    /// <summary>One line: "voters 1, 2, 3; learners 6 (configuration of log index 812, committed)".</summary>
    public override string ToString() =>
        $"voters {string.Join(", ", Voters)}" + (Learners.Count > 0 ? $"; learners {string.Join(", ", Learners)}" : "") +
        (ConfigIndex == 0 ? " (raft.toml's first configuration)" : $" (configuration of log index {ConfigIndex}, {(Committed ? "committed" : "not committed yet")})");
}

/// <summary>The current leader: its election (when, by whose votes, how long it took) and its followers.</summary>
internal sealed record LeaderReport(
    int Id,
    long Term,
    DateTimeOffset? ElectedAt,
    double? ElectionDurationMs,
    IReadOnlyList<int>? Voters,
    IReadOnlyList<FollowerReport> Followers)
{
    public static LeaderReport From(NodeStatus leader, ElectionSummary? election) => new(
        leader.NodeId,
        leader.Term,
        election?.ElectedAt,
        election is null ? null : StatusReport.Ms(election.DurationMs),
        election?.Voters,
        leader.Followers.Select(FollowerReport.From).ToArray());
}

/// <summary>The leader's view of one follower: replication progress and how long ago it last answered.</summary>
internal sealed record FollowerReport(int Id, long MatchIndex, long NextIndex, double SinceLastContactMs)
{
    public static FollowerReport From(FollowerStatus follower) =>
        new(follower.NodeId, follower.MatchIndex, follower.NextIndex, StatusReport.Ms(follower.SinceLastContactMs));
}

/// <summary>One won election.</summary>
internal sealed record ElectionReport(long Term, int Leader, DateTimeOffset ElectedAt, double DurationMs, IReadOnlyList<int> Voters)
{
    public static ElectionReport From(ElectionSummary election) =>
        new(election.Term, election.Leader, election.ElectedAt, StatusReport.Ms(election.DurationMs), election.Voters);
}
