namespace RaftOrleans.Storage;

/// <summary>An <see cref="IDurableLog"/> of one replica over its own <see cref="IRaftStorage"/> (memory storage, and tests' storage).</summary>
public sealed class ReplicaStorageLog(IRaftStorage storage) : IDurableLog
{
    public void Persist(IReadOnlyList<ReplicaWrite> writes)
    {
        foreach (var write in writes) storage.Persist(write.HardState, write.Entries);
    }

    public void SaveSnapshot(ReplicaId replica, StoredSnapshot snapshot, bool discardLog) => storage.SaveSnapshot(snapshot, discardLog);

    public string? Recover() => null;
}
