using RaftOrleans.Raft;

namespace RaftOrleans.Storage;

/// <summary>
/// Carries out one node's storage writes in order on a thread of their own, so the node grain never blocks on
/// a disk flush and keeps taking requests meanwhile (group commit). Writes queued while a flush runs are
/// merged into the next one: one write and one fsync for all of them. Each write's task completes once that
/// write is durable, and tasks complete in the order the writes were queued.
/// <para>
/// <see cref="StopAsync"/> is what a crash looks like to storage: writes not yet started are dropped (their
/// tasks fail with <see cref="RaftNodeUnavailableException"/>; nothing was sent or applied for them), a write
/// under way finishes. After a failed write every later write fails too: the node must restart and reload.
/// </para>
/// </summary>
public sealed class DurableWriter
{
    private readonly IRaftStorage _storage;
    private readonly int _nodeId;
    private readonly object _gate = new();
    private readonly List<Write> _queue = new();
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _stopping;
    private Exception? _failure;
    private Task _tail = Task.CompletedTask;

    private readonly Action<TimeSpan, int>? _flushed;

    /// <param name="flushed">Told after each write of entries to the log: how long it took (fsync included) and how many entries it carried.</param>
    public DurableWriter(IRaftStorage storage, int nodeId, Action<TimeSpan, int>? flushed = null)
    {
        _storage = storage;
        _nodeId = nodeId;
        _flushed = flushed;
        var thread = new Thread(Run) { IsBackground = true, Name = $"raft-node-{nodeId}-storage" };
        thread.Start();
    }

    /// <summary>Completes once every write queued so far is durable (or fails if one of them failed).</summary>
    public Task Tail
    {
        get { lock (_gate) return _tail; }
    }

    /// <summary>Queues IRaftStorage.Persist of a hard state (when not null) and entries.</summary>
    public Task Persist(HardState? hardState, IReadOnlyList<LogEntry> entries) =>
        Enqueue(new Write(hardState, entries, null, false));

    /// <summary>Queues IRaftStorage.SaveSnapshot; it is ordered with the persists like any other write.</summary>
    public Task SaveSnapshot(StoredSnapshot snapshot, bool discardLog) =>
        Enqueue(new Write(null, Array.Empty<LogEntry>(), snapshot, discardLog));

    /// <summary>Drops the writes not yet started and returns once the thread has finished the one under way.</summary>
    public Task StopAsync()
    {
        lock (_gate)
        {
            _stopping = true;
            Monitor.Pulse(_gate);
        }
        return _stopped.Task;
    }

    private Task Enqueue(Write write)
    {
        lock (_gate)
        {
            if (_stopping) write.Done.SetException(new RaftNodeUnavailableException(_nodeId));
            else if (_failure is not null) write.Done.SetException(_failure);
            else
            {
                _queue.Add(write);
                Monitor.Pulse(_gate);
            }
            _tail = write.Done.Task;
            return _tail;
        }
    }

    private void Run()
    {
        try
        {
            while (TakeBatch() is { } batch) Carry(batch);
        }
        finally
        {
            _stopped.TrySetResult();
        }
    }

    /// <summary>Everything queued, once there is something; null once stopping (what was queued is dropped).</summary>
    private List<Write>? TakeBatch()
    {
        lock (_gate)
        {
            while (_queue.Count == 0 && !_stopping) Monitor.Wait(_gate);
            if (_stopping)
            {
                foreach (var dropped in _queue) dropped.Done.TrySetException(new RaftNodeUnavailableException(_nodeId));
                _queue.Clear();
                return null;
            }
            var batch = new List<Write>(_queue);
            _queue.Clear();
            return batch;
        }
    }

    /// <summary>Runs of persists become one merged write; a snapshot is written on its own, in its place.</summary>
    private void Carry(List<Write> batch)
    {
        var start = 0;
        try
        {
            while (start < batch.Count)
            {
                if (batch[start].Snapshot is { } snapshot)
                {
                    _storage.SaveSnapshot(snapshot, batch[start].DiscardLog);
                    batch[start].Done.TrySetResult();
                    start++;
                    continue;
                }
                var end = start;
                while (end < batch.Count && batch[end].Snapshot is null) end++;
                PersistMerged(batch, start, end);
                for (var i = start; i < end; i++) batch[i].Done.TrySetResult();
                start = end;
            }
        }
        catch (Exception error)
        {
            lock (_gate)
            {
                _failure = error;
                foreach (var later in _queue) later.Done.TrySetException(error);
                _queue.Clear();
            }
            for (var i = start; i < batch.Count; i++) batch[i].Done.TrySetException(error);
        }
    }

    /// <summary>
    /// Persists writes [start, end) as one: the newest hard state, and the entries as the storage would hold
    /// them after each write in turn (a later write's first index cuts off what earlier ones queued from there).
    /// </summary>
    private void PersistMerged(List<Write> batch, int start, int end)
    {
        if (end - start == 1)
        {
            WriteLog(batch[start].HardState, batch[start].Entries);
            return;
        }
        HardState? hardState = null;
        var entries = new List<LogEntry>();
        for (var i = start; i < end; i++)
        {
            var write = batch[i];
            if (write.HardState is not null) hardState = write.HardState;
            if (write.Entries.Count == 0) continue;
            var first = write.Entries[0].Index;
            if (entries.Count > 0)
            {
                // The merged entries are contiguous: keep those before `first`, drop the rest.
                var keep = first - entries[0].Index;
                if (keep > entries.Count)
                    throw new InvalidOperationException($"node {_nodeId}: write of entries from {first} after entries up to {entries[^1].Index}");
                var kept = (int)Math.Max(keep, 0);
                entries.RemoveRange(kept, entries.Count - kept);
            }
            entries.AddRange(write.Entries);
        }
        WriteLog(hardState, entries);
    }

    /// <summary>One write of the log, timed for the metrics.</summary>
    private void WriteLog(HardState? hardState, IReadOnlyList<LogEntry> entries)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        _storage.Persist(hardState, entries);
        try
        {
            _flushed?.Invoke(System.Diagnostics.Stopwatch.GetElapsedTime(started), entries.Count);
        }
        catch (Exception)
        {
            // Metrics only: a failure to record must never count as a failed write (which would stop the node).
        }
    }

    private sealed record Write(HardState? HardState, IReadOnlyList<LogEntry> Entries, StoredSnapshot? Snapshot, bool DiscardLog)
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
