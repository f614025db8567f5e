namespace RaftOrleans.Storage;

/// <summary>
/// What a <see cref="DurableWriter"/> writes to: the logs of the replicas it serves. A file-backed silo has one for
/// all its replicas (<see cref="SiloLog"/>: the writes of every group that wait together become one write and one
/// fsync); memory storage has one per replica (<see cref="ReplicaStorageLog"/>).
/// </summary>
public interface IDurableLog
{
    /// <summary>Makes every write durable, each as <see cref="IRaftStorage.Persist"/> would; returns once all are.</summary>
    void Persist(IReadOnlyList<ReplicaWrite> writes);

    /// <summary>As <see cref="IRaftStorage.SaveSnapshot"/>, for one replica.</summary>
    void SaveSnapshot(ReplicaId replica, StoredSnapshot snapshot, bool discardLog);

    /// <summary>
    /// After a failed write, before any other: finds where the durable records end again (a failed write may have
    /// left part of itself). Returns what it repaired (a torn last record cut off), or null. Throws when the log cannot be read.
    /// </summary>
    string? Recover();
}
