namespace RaftOrleans.Storage;

/// <summary>
/// A node's own log, as versions before the silo's shared log kept it (<c>wal-*.log</c> in the replica's directory),
/// moved into the silo's log at the replica's first start: read, written there in one durable write, then deleted.
/// A crash in between leaves both; the move then runs again and writes the same log again, which changes nothing.
/// </summary>
internal static class LegacyNodeLog
{
    /// <summary>Moves the replica's old log into <paramref name="log"/>; false when it has none.</summary>
    public static bool MoveInto(SiloLog log, ReplicaId replica, string directory, bool fsync)
    {
        var files = Directory.GetFiles(directory, "wal-*.log");
        if (files.Length == 0) return false;
        var replay = WalReplay.Open(directory, _ => directory, untagged: replica);
        var state = replay.States().Select(found => found.State).SingleOrDefault() ?? new ReplicaReplay(directory).Finish();
        log.Adopt(replica, state);
        foreach (var file in files) File.Delete(file);
        if (fsync) Durable.SyncDirectory(directory);
        return true;
    }
}
