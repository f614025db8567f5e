namespace RaftOrleans.Storage;

/// <summary>
/// Each node's directory says whose it is, in a one-line <c>OWNER</c> file written at its first start and checked
/// at every start after: "raftorleans node N of group G of cluster ID". A directory copied, renamed or pointed at by mistake
/// would make a node start from another node's log and votes (or another cluster's), which Raft cannot detect.
/// </summary>
public static class NodeDirectoryOwner
{
    public const string FileName = "OWNER";

    /// <summary>Claims <paramref name="directory"/> for the node, or throws <see cref="InvalidDataException"/> when it is another's.</summary>
    public static void Claim(string directory, string group, int nodeId, string clusterId)
    {
        var path = Path.Combine(directory, FileName);
        var expected = Line(group, nodeId, clusterId);
        if (File.Exists(path))
        {
            var found = File.ReadAllText(path).Trim();
            if (found == expected) return;
            throw new InvalidDataException(
                $"{directory} belongs to someone else: {FileName} says \"{found}\", this silo runs \"{expected}\"; " +
                "point storage.data_dir (or --node, or cluster.id, or [groups]) at this node's own data, or move the directory back");
        }
        // A directory from before OWNER existed (or a new one) is adopted: written aside, then renamed into place,
        // so a crash never leaves half a line that would refuse the next start.
        Directory.CreateDirectory(directory);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, expected + "\n");
        File.Move(temporary, path, overwrite: true);
    }

    private static string Line(string group, int nodeId, string clusterId) => $"raftorleans node {nodeId} of group {group} of cluster {clusterId}";
}
