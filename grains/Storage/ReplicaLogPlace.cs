namespace RaftOrleans.Storage;

/// <summary>
/// Each replica's directory names the log its records are in, in a one-line <c>LOG</c> file written at its first
/// start (<c>wal</c> for a silo hosting every node, <c>wal-node-N</c> for node N's silo in cluster mode). A silo that
/// writes another log would start the replica with no term, vote or entries while its state engine has data: it
/// could vote twice in one term. So such a start is refused.
/// </summary>
public static class ReplicaLogPlace
{
    public const string FileName = "LOG";

    /// <param name="beforeFirstClaim">Runs when the directory names no log yet (a new or wiped replica, or one of an earlier version), before it is written.</param>
    /// <exception cref="InvalidDataException">The replica's records are in another log.</exception>
    public static void Claim(string directory, string logName, ReplicaId replica, bool fsync, Action beforeFirstClaim)
    {
        var path = Path.Combine(directory, FileName);
        if (File.Exists(path))
        {
            var found = File.ReadAllText(path).Trim();
            if (found == logName) return;
            throw new InvalidDataException(
                $"{directory}: the log of {replica} is in data_dir/{found}, but this silo writes data_dir/{logName} " +
                "(a store moves between embedded and cluster mode only with its data exported and loaded again): " +
                "start it in the mode that wrote it, or point storage.data_dir at an empty directory for a new store");
        }
        beforeFirstClaim();
        // Durable before anything relies on it (a moved log's old files are deleted after it).
        Durable.ReplaceFile(path, System.Text.Encoding.ASCII.GetBytes(logName + "\n"), fsync);
    }
}
