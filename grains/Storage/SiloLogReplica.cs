using RaftOrleans.Raft;

namespace RaftOrleans.Storage;

/// <summary>One replica's view of its silo's shared log (<see cref="SiloLog"/>): its records only.</summary>
public sealed class SiloLogReplica(SiloLog log, ReplicaId replica) : IRaftStorage
{
    public ReplicaId Replica => replica;

    /// <summary>Asked while this replica's entries keep old segments of the log on disk (<see cref="SiloLog.Pinning"/>).</summary>
    public bool CompactionWanted => log.Pinning(replica);

    public PersistedState Load() => log.Load(replica);

    public void Persist(HardState? hardState, IReadOnlyList<LogEntry> entries) =>
        log.Persist(new[] { new ReplicaWrite(replica, hardState, entries) });

    public void SaveSnapshot(StoredSnapshot snapshot, bool discardLog) => log.SaveSnapshot(replica, snapshot, discardLog);

    /// <summary>The log is the silo's: it is closed with the provider, not with one replica.</summary>
    public void Dispose()
    {
    }
}
