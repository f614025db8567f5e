using RaftOrleans.Groups;
using RaftOrleans.Storage;
using Xunit;

namespace RaftOrleans.Tests.Storage;

/// <summary>
/// A data directory remembers the groups it was made with: the same groups pass, other groups (or a store from before
/// groups) are refused with what to do, and nothing in the directory is touched.
/// </summary>
public class DataDirectoryGroupsTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static RaftGroups Groups(params (string, int)[] groups) => new(groups, 5);

    [Fact]
    public void The_same_groups_pass_in_any_order()
    {
        DataDirectoryGroups.Claim(_dir.Path, Groups(("critical", 5), ("background", 3)));
        DataDirectoryGroups.Claim(_dir.Path, Groups(("background", 3), ("critical", 5)));
        Assert.Equal("background 3\ncritical 5\n", File.ReadAllText(Path.Combine(_dir.Path, DataDirectoryGroups.FileName)));
    }

    [Theory]
    [InlineData("critical", 3)]
    [InlineData("other", 5)]
    public void Changed_groups_are_refused_and_nothing_is_touched(string name, int replicas)
    {
        DataDirectoryGroups.Claim(_dir.Path, Groups(("critical", 5), ("background", 3)));
        var before = File.ReadAllText(Path.Combine(_dir.Path, DataDirectoryGroups.FileName));

        var error = Assert.Throws<InvalidDataException>(() => DataDirectoryGroups.Claim(_dir.Path, Groups((name, replicas), ("background", 3))));

        Assert.Contains("(background 3, critical 5)", error.Message);
        Assert.Contains("changing the groups of an existing store is not supported", error.Message);
        Assert.Equal(before, File.ReadAllText(Path.Combine(_dir.Path, DataDirectoryGroups.FileName)));
    }

    [Fact]
    public void A_store_from_before_groups_is_refused_with_how_to_move_it()
    {
        Directory.CreateDirectory(Path.Combine(_dir.Path, "node-1"));

        var error = Assert.Throws<InvalidDataException>(() => DataDirectoryGroups.Claim(_dir.Path, Groups(("main", 5))));

        Assert.Contains("written before Raft groups", error.Message);
        Assert.Contains(Path.Combine(_dir.Path, "main"), error.Message);
        Assert.False(File.Exists(Path.Combine(_dir.Path, DataDirectoryGroups.FileName)));
    }

    [Fact]
    public void Each_replica_has_a_directory_of_its_group_and_node_that_refuses_another()
    {
        using (var storage = new FileRaftStorageProvider(_dir.Path, fsync: false, clusterId: "test"))
        {
            storage.ClaimGroups(Groups(("a", 3), ("b", 3)));
            storage.For("a", 1).Load();
            storage.For("b", 1).Load();
        }
        Assert.True(File.Exists(Path.Combine(_dir.Path, "a", "node-1", NodeDirectoryOwner.FileName)));
        Assert.True(File.Exists(Path.Combine(_dir.Path, "b", "node-1", NodeDirectoryOwner.FileName)));
        // Group b's directory moved where group a's node 2 belongs: refused, not adopted.
        Directory.Move(Path.Combine(_dir.Path, "b", "node-1"), Path.Combine(_dir.Path, "a", "node-2"));
        using var again = new FileRaftStorageProvider(_dir.Path, fsync: false, clusterId: "test");
        var error = Assert.Throws<InvalidDataException>(() => again.For("a", 2));
        Assert.Contains("node 1 of group b", error.Message);
    }
}
