using System.Diagnostics;
using RaftOrleans.Raft;

namespace RaftOrleans.Storage;

/// <summary>
/// Carries out the storage writes of the replicas it serves in order on a thread of their own, so no node grain
/// ever blocks on a disk flush and each keeps taking requests meanwhile (group commit). Writes queued while a flush
/// runs go out together in the next one: with a <see cref="SiloLog"/>, the writes of every group of the silo that
/// waited together become one write and one fsync (Dragonboat's one <c>SaveRaftState</c> per worker pass). Each
/// write's task completes once that write is durable, and one replica's tasks complete in the order it queued them.
/// <para>
/// <see cref="StopAsync"/> is what a crash of one replica looks like to storage: its writes not yet started are
/// dropped (their tasks fail with <see cref="RaftNodeUnavailableException"/>; nothing was sent or applied for them),
/// a write under way finishes. After a failed write every later write of every replica open then fails too: each must
/// restart and reload (<see cref="Open"/>), and the first to open again has the log <see cref="IDurableLog.Recover">recovered</see>
/// first. A replica that has not opened again since keeps failing, whoever recovered the log: its writes that failed
/// may have left a gap in what it has queued since.
/// </para>
/// </summary>
public sealed class DurableWriter : IDisposable
{
    private readonly IDurableLog _log;
    private readonly object _gate = new();
    private readonly List<Write> _queue = new();
    private readonly Dictionary<ReplicaId, Action<TimeSpan, int>?> _open = new(); // replicas taking writes, and their flush meters
    private readonly string _name;
    private Thread? _thread; // runs while some replica is open or writes are queued
    private Exception? _failure; // of the last failed write
    private bool _unrecovered; // a write failed, and no Open has recovered the log since
    private readonly HashSet<ReplicaId> _failed = new(); // open when a write failed: refused until they open again
    private bool _disposed;
    private Pass? _underWay;

    /// <param name="name">Names the storage thread.</param>
    public DurableWriter(IDurableLog log, string name)
    {
        _log = log;
        _name = name;
    }

    /// <summary>
    /// Lets <paramref name="replica"/> write (at its start and at every restart). After a failed write the log is
    /// recovered first. <paramref name="flushed"/> is told after each of its writes of entries: how long the write that
    /// carried them took (fsync included) and how many of its entries it carried. Returns what recovery repaired, or null.
    /// </summary>
    public string? Open(ReplicaId replica, Action<TimeSpan, int>? flushed = null)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            while (_unrecovered && _underWay is not null) Monitor.Wait(_gate); // the pass that failed is over first
            ObjectDisposedException.ThrowIf(_disposed, this); // the silo may have shut down meanwhile
            string? repaired = null;
            if (_unrecovered)
            {
                repaired = _log.Recover();
                _unrecovered = false;
            }
            _failed.Remove(replica);
            _open[replica] = flushed;
            if (_thread is null)
            {
                _thread = new Thread(Run) { IsBackground = true, Name = $"raft-storage-{_name}" };
                _thread.Start();
            }
            return repaired;
        }
    }

    /// <summary>Queues IRaftStorage.Persist of a hard state (when not null) and entries.</summary>
    public Task Persist(ReplicaId replica, HardState? hardState, IReadOnlyList<LogEntry> entries) =>
        Enqueue(new Write(replica, hardState, entries, null, false));

    /// <summary>Queues IRaftStorage.SaveSnapshot; it is ordered with the replica's persists like any other write.</summary>
    public Task SaveSnapshot(ReplicaId replica, StoredSnapshot snapshot, bool discardLog) =>
        Enqueue(new Write(replica, null, Array.Empty<LogEntry>(), snapshot, discardLog));

    /// <summary>
    /// Drops the replica's writes not yet started and takes no more of its writes until it opens again; returns
    /// once a write under way that carries some of its writes has finished.
    /// </summary>
    public Task StopAsync(ReplicaId replica)
    {
        lock (_gate)
        {
            _open.Remove(replica);
            var unavailable = new RaftNodeUnavailableException(replica.Group, replica.Node);
            foreach (var dropped in _queue.Where(w => w.Replica == replica)) dropped.Done.TrySetException(unavailable);
            _queue.RemoveAll(w => w.Replica == replica);
            Monitor.Pulse(_gate); // with no replica left open, the thread ends
            return _underWay is { } pass && pass.Carries(replica) ? pass.Finished.Task : Task.CompletedTask;
        }
    }

    /// <summary>Ends the thread once the write under way is done; writes still queued fail.</summary>
    public void Dispose()
    {
        Thread? thread;
        lock (_gate)
        {
            _disposed = true;
            thread = _thread;
            Monitor.Pulse(_gate);
        }
        if (thread is not null && Thread.CurrentThread != thread) thread.Join(TimeSpan.FromSeconds(30));
    }

    private Task Enqueue(Write write)
    {
        lock (_gate)
        {
            if (_disposed || !_open.ContainsKey(write.Replica))
                write.Done.SetException(new RaftNodeUnavailableException(write.Replica.Group, write.Replica.Node));
            else if (_failed.Contains(write.Replica)) write.Done.SetException(_failure!); // every replica open at the failure is in it
            else
            {
                _queue.Add(write);
                Monitor.Pulse(_gate);
            }
            return write.Done.Task;
        }
    }

    private void Run()
    {
        while (TakeBatch() is { } pass)
        {
            Carry(pass.Writes);
            lock (_gate)
            {
                _underWay = null;
                pass.Finished.TrySetResult();
                Monitor.PulseAll(_gate); // an Open waiting for a failed pass to be over
            }
        }
    }

    /// <summary>
    /// Everything queued, once there is something; null once disposed (what was queued then fails) or once no
    /// replica is open and nothing is queued (the thread ends; the next <see cref="Open"/> starts another).
    /// </summary>
    private Pass? TakeBatch()
    {
        lock (_gate)
        {
            while (_queue.Count == 0 && !_disposed)
            {
                if (_open.Count == 0)
                {
                    _thread = null;
                    return null;
                }
                Monitor.Wait(_gate);
            }
            if (_disposed)
            {
                foreach (var dropped in _queue) dropped.Done.TrySetException(new RaftNodeUnavailableException(dropped.Replica.Group, dropped.Replica.Node));
                _queue.Clear();
                return null;
            }
            _underWay = new Pass(new List<Write>(_queue));
            _queue.Clear();
            return _underWay;
        }
    }

    /// <summary>Runs of persists (of any replicas) become one write; a snapshot is written on its own, in its place.</summary>
    private void Carry(List<Write> batch)
    {
        var start = 0;
        try
        {
            while (start < batch.Count)
            {
                if (batch[start].Snapshot is { } snapshot)
                {
                    _log.SaveSnapshot(batch[start].Replica, snapshot, batch[start].DiscardLog);
                    batch[start].Done.TrySetResult();
                    start++;
                    continue;
                }
                var end = start;
                while (end < batch.Count && batch[end].Snapshot is null) end++;
                PersistRun(batch, start, end);
                for (var i = start; i < end; i++) batch[i].Done.TrySetResult();
                start = end;
            }
        }
        catch (Exception error)
        {
            lock (_gate)
            {
                _failure = error;
                _unrecovered = true;
                _failed.UnionWith(_open.Keys);
                foreach (var later in _queue) later.Done.TrySetException(error);
                _queue.Clear();
            }
            for (var i = start; i < batch.Count; i++) batch[i].Done.TrySetException(error);
        }
    }

    /// <summary>Writes [start, end) as one write to the log, each replica's writes merged into one (<see cref="Merge"/>).</summary>
    private void PersistRun(List<Write> batch, int start, int end)
    {
        var byReplica = new Dictionary<ReplicaId, List<Write>>();
        for (var i = start; i < end; i++)
        {
            if (!byReplica.TryGetValue(batch[i].Replica, out var writes)) byReplica[batch[i].Replica] = writes = new List<Write>();
            writes.Add(batch[i]);
        }
        var merged = byReplica.Select(pair => Merge(pair.Key, pair.Value)).Where(w => w.HardState is not null || w.Entries.Count > 0).ToList();
        if (merged.Count == 0) return;
        var started = Stopwatch.GetTimestamp();
        _log.Persist(merged);
        var took = Stopwatch.GetElapsedTime(started);
        foreach (var write in merged.Where(w => w.Entries.Count > 0)) Flushed(write.Replica, took, write.Entries.Count);
    }

    /// <summary>
    /// One replica's writes as one: the newest hard state, and the entries as the storage would hold them after
    /// each write in turn (a later write's first index cuts off what earlier ones queued from there).
    /// </summary>
    private static ReplicaWrite Merge(ReplicaId replica, List<Write> writes)
    {
        if (writes.Count == 1) return new ReplicaWrite(replica, writes[0].HardState, writes[0].Entries);
        HardState? hardState = null;
        var entries = new List<LogEntry>();
        foreach (var write in writes)
        {
            if (write.HardState is not null) hardState = write.HardState;
            if (write.Entries.Count == 0) continue;
            var first = write.Entries[0].Index;
            if (entries.Count > 0)
            {
                // The merged entries are contiguous: keep those before `first`, drop the rest.
                var keep = first - entries[0].Index;
                if (keep > entries.Count)
                    throw new InvalidOperationException($"{replica}: write of entries from {first} after entries up to {entries[^1].Index}");
                var kept = (int)Math.Max(keep, 0);
                entries.RemoveRange(kept, entries.Count - kept);
            }
            entries.AddRange(write.Entries);
        }
        return new ReplicaWrite(replica, hardState, entries);
    }

    private void Flushed(ReplicaId replica, TimeSpan took, int entries)
    {
        Action<TimeSpan, int>? meter;
        lock (_gate) _open.TryGetValue(replica, out meter);
        try
        {
            meter?.Invoke(took, entries);
        }
        catch (Exception)
        {
            // Metrics only: a failure to record must never count as a failed write (which would stop the node).
        }
    }

    private sealed record Write(ReplicaId Replica, HardState? HardState, IReadOnlyList<LogEntry> Entries, StoredSnapshot? Snapshot, bool DiscardLog)
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>The writes one turn of the thread carries.</summary>
    private sealed class Pass(List<Write> writes)
    {
        public List<Write> Writes { get; } = writes;
        public TaskCompletionSource Finished { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public bool Carries(ReplicaId replica) => Writes.Any(w => w.Replica == replica);
    }
}
