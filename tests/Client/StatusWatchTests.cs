using RaftOrleans.Client.Status;
using RaftOrleans.Status;
using Spectre.Console;
using Xunit;

namespace RaftOrleans.Tests.Client;

/// <summary>`client status --watch` draws each frame with Spectre.Console: the leader, the members, a row per node and how far behind it is.</summary>
public sealed class StatusWatchTests
{
    [Fact]
    public void AFrameShowsTheLeaderEveryNodeAndHowFarBehindEachIs()
    {
        var leader = Status(1, "Leader", lastLog: 120) with
        {
            Followers = [new FollowerStatus(2, 100, 101, 12), new FollowerStatus(3, 0, 121, 3)],
        };
        var snapshot = new ClusterSnapshot(DateTimeOffset.UtcNow,
        [
            new NodeProbe(1, leader, null),
            new NodeProbe(2, Status(2, "Follower", lastLog: 100), null),
            new NodeProbe(3, null, "no answer within 2000 ms"),
        ]);

        var frame = Draw(StatusWatch.Render(StatusReport.From(snapshot)));

        Assert.Contains("leader node 1, term 7, commit 120", frame);
        Assert.Contains("members: voters 1, 2, 3", frame);
        Assert.Matches(@"│ 2 +│ voter +│ Follower .*│ 20 +│ 12 ms ago", frame); // 120 - 100 behind
        Assert.Matches(@"│ 3 +│ voter +│ Unreachable .*│ - +│", frame); // match index 0: not known yet
        Assert.Contains("node 3: no answer within 2000 ms", frame);
    }

    private static NodeStatus Status(int id, string role, long lastLog) => new()
    {
        NodeId = id, Crashed = false, Role = role, Term = 7, VotedFor = 1, LeaderId = 1, LastLogIndex = lastLog, CommitIndex = lastLog,
        LastApplied = lastLog, Followers = [], ElectionsWon = [], StateDigest = "0", KeyCount = 3, SnapshotIndex = 0,
        Voters = [1, 2, 3], ConfigIndex = 0, ConfigCommitted = true,
    };

    private static string Draw(Spectre.Console.Rendering.IRenderable frame)
    {
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = 200;
        console.Write(frame);
        return output.ToString();
    }
}
