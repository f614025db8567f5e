using RaftOrleans.Raft;
using RaftOrleans.Storage;

namespace RaftOrleans.Replica;

/// <summary>
/// The replica's disk, asynchronous: writes are queued and made durable in the order they were queued, and
/// each one's completion runs later on the replica's own turn, never inside the call that queued it. The
/// completions may arrive out of order (the completion of a write means every write queued before it is durable
/// too). A write that fails fails every later one too (the replica then stops like a crash and must be restarted).
/// </summary>
public interface IReplicaStorage
{
    /// <summary>What a node (re)starts from. Called only when no write is under way.</summary>
    PersistedState Load();

    /// <summary>
    /// Queues IRaftStorage.Persist: the hard state (when not null), then the entries (dropping every stored entry
    /// at or after the first one's index). <paramref name="done"/> gets null once durable, or the error.
    /// </summary>
    void Persist(HardState? hardState, IReadOnlyList<LogEntry> entries, Action<Exception?> done);

    /// <summary>Queues IRaftStorage.SaveSnapshot, ordered with the persists like any other write.</summary>
    void SaveSnapshot(StoredSnapshot snapshot, bool discardLog, Action<Exception?> done);

    /// <summary>
    /// A crash, as the disk sees it: writes not yet started are dropped (their completions never run), the one
    /// under way finishes or not as the disk decides; <paramref name="stopped"/> runs on the replica's turn once
    /// nothing is under way any more and <see cref="Load"/> may be called.
    /// </summary>
    void Stop(Action stopped);

    /// <summary>
    /// Whether the storage asks the replica to compact its log at what it has applied, whatever the snapshot threshold:
    /// a log shared by many replicas keeps its old segments on disk while one replica still needs entries in them.
    /// </summary>
    bool CompactionWanted => false;
}
