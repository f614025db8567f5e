using RaftOrleans.Raft;

namespace RaftOrleans.Storage;

/// <summary>
/// Durable Raft state of one node: term, vote and log (Figure 2, "persistent state on all servers").
/// <see cref="Persist"/> returns only once the state is durable, because the node answers votes and appends
/// right after it.
/// </summary>
public interface IRaftStorage : IDisposable
{
    PersistedState Load();

    /// <summary>
    /// Saves <paramref name="hardState"/> (when not null) and the entries: every stored entry at or after the
    /// first new entry's index is dropped first (a replaced conflicting suffix), then the entries are appended.
    /// </summary>
    void Persist(HardState? hardState, IReadOnlyList<LogEntry> entries);

    /// <summary>
    /// Makes <paramref name="snapshot"/> durable, then forgets the log entries it covers: those up to its
    /// index, or all of them with <paramref name="discardLog"/> (a follower whose log disagrees with a
    /// snapshot its leader sent keeps nothing of it, Figure 13).
    /// </summary>
    void SaveSnapshot(StoredSnapshot snapshot, bool discardLog);

    /// <summary>Whether the storage asks the replica to compact its log (see <see cref="Replica.IReplicaStorage.CompactionWanted"/>).</summary>
    bool CompactionWanted => false;
}
