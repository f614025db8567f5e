using RaftOrleans.Raft;
using RaftOrleans.Replica;

namespace RaftOrleans.Storage;

/// <summary>
/// The replica's disk on a real machine: its <see cref="IRaftStorage"/> (to load from) written through a
/// <see cref="DurableWriter"/> (group commit; with file storage one writer for every replica of the silo). A write's
/// completion runs where its await resumes: called on a grain's turn, that is the grain's turn again, as the replica
/// requires.
/// </summary>
/// <param name="repaired">Told what recovery of the log repaired when this replica's start recovered it after a failed write.</param>
/// <param name="flushed">See <see cref="DurableWriter.Open"/>: each log write's duration and entry count, for metrics.</param>
public sealed class WriterStorage(IRaftStorage storage, DurableWriter writer, ReplicaId replica,
    Action<string>? repaired = null, Action<TimeSpan, int>? flushed = null) : IReplicaStorage
{
    public PersistedState Load()
    {
        // Opened first: after a failed write, opening recovers the log, and the load must read the recovered one.
        if (writer.Open(replica, flushed) is { } repair) repaired?.Invoke(repair);
        return storage.Load();
    }

    public void Persist(HardState? hardState, IReadOnlyList<LogEntry> entries, Action<Exception?> done) =>
        _ = Complete(writer.Persist(replica, hardState, entries), done);

    public void SaveSnapshot(StoredSnapshot snapshot, bool discardLog, Action<Exception?> done) =>
        _ = Complete(writer.SaveSnapshot(replica, snapshot, discardLog), done);

    public void Stop(Action stopped) => _ = Complete(writer.StopAsync(replica), _ => stopped());

    public bool CompactionWanted => storage.CompactionWanted;

    private static async Task Complete(Task write, Action<Exception?> done)
    {
        try
        {
            // Always later, on the caller's scheduler (the grain's turn): a write that failed at once (the writer
            // had already failed) must not stop the replica in the middle of the call that queued it.
            await write.ConfigureAwait(ConfigureAwaitOptions.ContinueOnCapturedContext | ConfigureAwaitOptions.ForceYielding);
        }
        catch (Exception error)
        {
            done(error);
            return;
        }
        done(null);
    }
}
