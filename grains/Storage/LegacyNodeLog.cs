namespace RaftOrleans.Storage;

/// <summary>
/// A node's own log, as versions before the silo's shared log kept it (<c>wal-*.log</c> in the replica's directory),
/// moved into the silo's log at the replica's first start: read, written there in one durable write, its <c>LOG</c>
/// file written, and only then deleted (<see cref="ReplicaLogPlace"/>). A crash before the <c>LOG</c> file leaves the
/// old log; the move then runs again and writes the same log again, which changes nothing.
/// </summary>
internal static class LegacyNodeLog
{
    /// <summary>The replica's old log, or null when it has none.</summary>
    public static PersistedState? Read(string directory, ReplicaId replica)
    {
        if (Directory.GetFiles(directory, "wal-*.log").Length == 0) return null; // (the directory exists: its OWNER was claimed first)
        var replay = WalReplay.Open(directory, _ => directory, untagged: replica);
        return replay.Replicas.TryGetValue(replica, out var found) ? found.Finish() : new ReplicaReplay(directory).Finish();
    }

    /// <summary>Deletes the old log, once the silo's log holds it and the replica's LOG file names that.</summary>
    public static void Delete(string directory, bool fsync)
    {
        var files = Directory.GetFiles(directory, "wal-*.log");
        if (files.Length == 0) return;
        foreach (var file in files.OrderDescending(StringComparer.Ordinal)) File.Delete(file);
        if (fsync) Durable.SyncDirectory(directory);
    }
}
