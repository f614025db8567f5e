using RaftOrleans.Raft;
using RaftOrleans.Replica;

namespace RaftOrleans.Storage;

/// <summary>
/// The replica's disk on a real machine: an <see cref="IRaftStorage"/> written through a <see cref="DurableWriter"/>
/// (one storage thread per life of the node, group commit). A write's completion runs where its await resumes:
/// called on a grain's turn, that is the grain's turn again, as the replica requires.
/// </summary>
/// <param name="flushed">See <see cref="DurableWriter"/>: each log write's duration and entry count, for metrics.</param>
public sealed class WriterStorage(IRaftStorage storage, int nodeId, Action<string>? repaired = null, Action<TimeSpan, int>? flushed = null) : IReplicaStorage
{
    private DurableWriter? _writer;

    public PersistedState Load()
    {
        var persisted = storage.Load();
        if (storage is FileRaftStorage { LastRepair: { } repair }) repaired?.Invoke(repair);
        _writer = new DurableWriter(storage, nodeId, flushed);
        return persisted;
    }

    public void Persist(HardState? hardState, IReadOnlyList<LogEntry> entries, Action<Exception?> done) =>
        _ = Complete(Writer.Persist(hardState, entries), done);

    public void SaveSnapshot(StoredSnapshot snapshot, bool discardLog, Action<Exception?> done) =>
        _ = Complete(Writer.SaveSnapshot(snapshot, discardLog), done);

    public void Stop(Action stopped) => _ = Complete(_writer?.StopAsync() ?? Task.CompletedTask, _ => stopped());

    private DurableWriter Writer => _writer ?? throw new InvalidOperationException($"node {nodeId}: storage written before it was loaded");

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
