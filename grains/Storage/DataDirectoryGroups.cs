using RaftOrleans.Groups;

namespace RaftOrleans.Storage;

/// <summary>
/// A data directory records the groups it was made with, in a <c>GROUPS</c> file written at its first start ("name
/// replicas", one line per group) and checked at every start after. Changing the groups of a store that holds data
/// would re-spread its keys over groups that do not hold them (a key put before would read as not found) or start
/// a group's replicas on nodes that never held its log; changing the groups of a running store is not supported, so
/// such a start is refused, nothing touched.
/// </summary>
public static class DataDirectoryGroups
{
    public const string FileName = "GROUPS";

    /// <exception cref="InvalidDataException">The directory was made for other groups, or before groups existed.</exception>
    public static void Claim(string dataDir, RaftGroups groups)
    {
        var path = Path.Combine(dataDir, FileName);
        var expected = groups.Describe();
        if (File.Exists(path))
        {
            var found = File.ReadAllText(path).Trim().ReplaceLineEndings("\n");
            if (found == expected) return;
            throw new InvalidDataException(
                $"{dataDir} holds the groups {OneLine(found)}, but raft.toml declares {OneLine(expected)}; changing the groups of an " +
                "existing store is not supported (its keys would move to groups that do not hold them): put raft.toml's [groups] " +
                "back, or point storage.data_dir at an empty directory for a new store");
        }
        if (Directory.Exists(dataDir) && Directory.GetDirectories(dataDir, "node-*").FirstOrDefault() is { } legacy)
        {
            throw new InvalidDataException(
                $"{legacy} was written before Raft groups (one group, directories data_dir/node-N): with the silo stopped, " +
                $"move each node-N directory into {Path.Combine(dataDir, groups.All[0].Name)}{Path.DirectorySeparatorChar} and delete its " +
                $"{NodeDirectoryOwner.FileName} file (it is written again), then start again with a [groups] of that one group");
        }
        Directory.CreateDirectory(dataDir);
        // Written aside, then renamed into place: a crash never leaves half a file, and silos of one machine sharing
        // the directory may write it at the same moment (the same text).
        var temporary = $"{path}.{Environment.ProcessId}.tmp";
        File.WriteAllText(temporary, expected + "\n");
        File.Move(temporary, path, overwrite: true);
    }

    private static string OneLine(string described) => "(" + described.Replace("\n", ", ") + ")";
}
