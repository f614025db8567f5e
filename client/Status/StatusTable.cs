using System.Globalization;

namespace RaftOrleans.Client.Status;

/// <summary>`status` for a person: a table of nodes, the leader's election and followers, the recent elections.</summary>
internal static class StatusTable
{
    public static void Write(StatusReport report, TextWriter output)
    {
        var nodes = new TextTable("node", "member", "role", "term", "voted for", "follows", "last log", "commit", "applied", "snapshot", "keys",
            "state digest", "silo (pid)");
        foreach (var node in report.Nodes)
        {
            var role = node.Id == report.Leader?.Id ? $"{node.Role} *" : node.Role;
            nodes.Add(node.Id, node.Member, role, node.Term, node.VotedFor, node.Leader, node.LastLogIndex, node.CommitIndex,
                node.LastApplied, node.SnapshotIndex, node.KeyCount, node.StateDigest, Silo(node));
        }
        nodes.WriteTo(output);
        // Why a node gave no status, under the table: one line each, however long.
        foreach (var node in report.Nodes.Where(n => n.Problem is not null))
        {
            output.WriteLine($"  node {node.Id}: {node.Problem}");
        }
        if (report.Membership is { } membership) output.WriteLine($"members: {membership}");
        output.WriteLine();

        if (report.Leader is not { } leader)
        {
            output.WriteLine("leader: none (no running node leads: an election may be under way, or too few nodes run)");
        }
        else
        {
            output.WriteLine($"leader: node {leader.Id}, term {leader.Term}, {Election(leader, report.TakenAt)}");
            var followers = new TextTable("follower", "match index", "next index", "last contact");
            foreach (var follower in leader.Followers)
            {
                followers.Add(follower.Id, follower.MatchIndex, follower.NextIndex, $"{follower.SinceLastContactMs:F0} ms ago");
            }
            followers.WriteTo(output, "  ");
        }

        if (report.Elections.Count > 0)
        {
            output.WriteLine();
            output.WriteLine("recent elections:");
            var elections = new TextTable("term", "leader", "elected at", "took", "voters");
            foreach (var election in report.Elections)
            {
                elections.Add(election.Term, election.Leader, Clock(election.ElectedAt), $"{election.DurationMs:F0} ms",
                    string.Join(", ", election.Voters));
            }
            elections.WriteTo(output, "  ");
        }
    }

    private static string Election(LeaderReport leader, DateTimeOffset now)
    {
        if (leader.ElectedAt is not { } at)
        {
            return "election not recorded";
        }
        var ago = (now - at).TotalSeconds;
        var voters = leader.Voters is { Count: > 0 } ids ? $" by the votes of nodes {string.Join(", ", ids)}" : "";
        return $"elected at {Clock(at)} ({ago:F1} s ago) in {leader.ElectionDurationMs:F0} ms{voters}";
    }

    /// <summary>
    /// Where the node runs: its silo's address and port (the runtime identity without its "S" and generation) and
    /// process id; "-" when it did not answer.
    /// </summary>
    private static string? Silo(NodeReport node)
    {
        if (node.Silo is not { } silo) return null;
        var endpoint = silo.TrimStart('S');
        var generation = endpoint.LastIndexOf(':');
        if (generation > 0 && endpoint.IndexOf(':') != generation) endpoint = endpoint[..generation];
        return node.ProcessId is { } pid ? $"{endpoint} ({pid})" : endpoint;
    }

    /// <summary>Local wall-clock time to the millisecond: elections are close together.</summary>
    private static string Clock(DateTimeOffset at) => at.ToLocalTime().ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);
}
