using RaftOrleans.Raft;
using Xunit;

namespace RaftOrleans.Tests.Raft;

/// <summary>
/// Check-quorum: a leader that hears from no majority for an election timeout steps down, so clients stop
/// waiting on a leader cut off from the cluster. The leader samples its followers' activity once per
/// ElectionTimeoutMin, so a leader whose followers all went silent steps down at the second sample after the
/// last reply: within 2 × ElectionTimeoutMin of silence. That is the bound asserted here.
/// </summary>
public class CheckQuorumTests
{
    private static RaftNode NewLeader()
    {
        var leader = Nodes.New(1, 3, new HardState(1, null));
        Nodes.Elect(leader, 2);
        return leader;
    }

    /// <summary>Ticks the leader in 1 ms steps; node 2 acknowledges every AppendEntries when <paramref name="node2Answers"/>.</summary>
    private static TimeSpan RunLeader(RaftNode leader, TimeSpan duration, bool node2Answers)
    {
        var elapsed = TimeSpan.Zero;
        while (elapsed < duration && leader.Role == Role.Leader)
        {
            leader.Tick(Nodes.Step);
            elapsed += Nodes.Step;
            foreach (var append in leader.TakeReadyCarriedOut().Sent<AppendEntries>().Where(a => a.To == 2 && node2Answers).ToArray())
            {
                leader.Step(Nodes.Acked(2, 1, append.Term, append.PrevLogIndex + append.Entries.Length));
            }
        }
        return elapsed;
    }

    [Fact]
    public void LeaderHearingFromNoMajorityStepsDownWithinTwoMinimumElectionTimeouts()
    {
        var leader = NewLeader();

        var lasted = RunLeader(leader, TimeSpan.FromSeconds(5), node2Answers: false);

        Assert.Equal(Role.Follower, leader.Role);
        Assert.InRange(lasted, Nodes.ElectionMin, Nodes.ElectionMin * 2);
        Assert.Equal(2, leader.Term); // stepping down is not a new term
        Assert.Null(leader.LeaderId);
        Assert.Equal(ProposeResult.NotLeader(null), leader.Propose(new byte[] { 1 }));
    }

    [Fact]
    public void LeaderHearingFromAMajorityKeepsLeading()
    {
        var leader = NewLeader();

        RunLeader(leader, TimeSpan.FromSeconds(3), node2Answers: true);

        Assert.Equal(Role.Leader, leader.Role);
        Assert.Equal(2, leader.Term);
    }

    [Fact]
    public void LeaderWhoseMajorityFallsSilentStepsDownWithinTwoMinimumElectionTimeouts()
    {
        var leader = NewLeader();
        RunLeader(leader, TimeSpan.FromSeconds(1), node2Answers: true);
        Assert.Equal(Role.Leader, leader.Role);

        var lasted = RunLeader(leader, TimeSpan.FromSeconds(5), node2Answers: false);

        Assert.Equal(Role.Follower, leader.Role);
        Assert.True(lasted <= Nodes.ElectionMin * 2, $"led {lasted} without hearing from a majority");
    }
}
