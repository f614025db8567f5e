using Xunit;

namespace RaftOrleans.Tests.Integration;

public sealed class ElectionTests : RaftClusterTest
{
    [Fact]
    public async Task Timers_alone_elect_exactly_one_leader_of_the_current_term()
    {
        // No client request has been made: the node grains' timers must hold the election by themselves.
        var leader = await WaitForStableLeader();

        var all = await StatusAll();
        Assert.Single(all, s => s.Role == "Leader" && s.Term == leader.Term);
        Assert.All(all.Where(s => s.NodeId != leader.NodeId), s => Assert.Equal("Follower", s.Role));
        var election = Assert.Single(leader.ElectionsWon, e => e.Term == leader.Term);
        Assert.Contains(leader.NodeId, election.Voters);
        Assert.True(election.Voters.Length >= 3, $"a leader of 5 needs 3 votes, had {string.Join(",", election.Voters)}");
    }
}
