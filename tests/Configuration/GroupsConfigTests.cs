using RaftOrleans.Configuration;
using RaftOrleans.Groups;
using RaftOrleans.Silo;
using Xunit;

namespace RaftOrleans.Tests.Configuration;

/// <summary>raft.toml's [groups]: the default of one group, names and sizes checked with one line each.</summary>
public class GroupsConfigTests
{
    [Fact]
    public void Without_groups_the_store_is_one_group_of_every_node()
    {
        var config = RaftConfigLoader.Parse("[cluster]\nnodes = 3\n", "raft.toml");
        var groups = RaftClusterOptionsFactory.GroupsOf(config);
        var only = Assert.Single(groups.All);
        Assert.Equal(GroupSettings.DefaultName, only.Name);
        Assert.Equal([1, 2, 3], only.Members);
    }

    [Fact]
    public void Groups_are_read_with_their_sizes()
    {
        var config = RaftConfigLoader.Parse("[cluster]\nnodes = 5\n[groups]\ncritical = 5\nbackground = 3\n", "raft.toml");
        Assert.Equal([new GroupSettings("critical", 5), new GroupSettings("background", 3)], config.Groups);
        var groups = RaftClusterOptionsFactory.GroupsOf(config);
        Assert.Equal([1, 2, 3], groups["background"].Members); // first by name
        Assert.Equal([2, 3, 4, 5, 1], groups["critical"].Members);
    }

    [Theory]
    [InlineData("a = 2", "groups.a: the replica count must be odd")]
    [InlineData("a = 0", "groups.a: the replica count must be odd and at least 1")]
    [InlineData("a = 7", "groups.a: 7 replicas cannot be placed on 5 nodes")]
    [InlineData("\"a b\" = 3", "a group name may hold only letters, digits")]
    [InlineData("a = \"three\"", "groups.a: expected an integer")]
    public void A_group_that_cannot_be_made_is_one_clear_line(string line, string expected)
    {
        var error = Assert.Throws<RaftConfigException>(() => RaftConfigLoader.Parse($"[groups]\n{line}\n", "raft.toml"));
        var only = Assert.Single(error.Errors);
        Assert.Contains(expected, only);
        Assert.StartsWith("raft.toml: ", only);
    }

    [Fact]
    public void In_cluster_mode_a_group_larger_than_the_silos_is_refused_naming_the_silos()
    {
        var error = Assert.Throws<RaftConfigException>(() =>
            RaftConfigLoader.Parse("[cluster]\nnodes = 3\nmode = \"cluster\"\n[groups]\nbig = 5\n", "raft.toml"));
        Assert.Contains("5 replicas cannot be placed on 3 silos", Assert.Single(error.Errors));
    }

    [Fact]
    public void Keys_hash_to_groups_the_same_way_everywhere()
    {
        // FNV-1a, not string.GetHashCode (randomised per process): silo, gateway and console must agree forever.
        Assert.Equal(RaftGroups.Bucket("key-1", 1000), RaftGroups.Bucket("key-1", 1000));
        Assert.Equal(2166136261u % 7, (uint)RaftGroups.Bucket("", 7));
        var groups = new RaftGroups([("a", 1), ("b", 1), ("c", 1), ("d", 1)], 1);
        var counts = Enumerable.Range(0, 4000).GroupBy(i => groups.For(null, $"k{i}").Name).ToDictionary(g => g.Key, g => g.Count());
        Assert.All(counts.Values, count => Assert.InRange(count, 800, 1200)); // about 1000 each
        Assert.Equal("b", groups.For("b", "anything").Name);
        Assert.Throws<UnknownGroupException>(() => groups.For("z", "k"));
    }
}
