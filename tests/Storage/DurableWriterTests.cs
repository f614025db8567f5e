using RaftOrleans.Raft;
using RaftOrleans.Storage;
using Xunit;

namespace RaftOrleans.Tests.Storage;

/// <summary>
/// The storage thread: writes queued while one is under way are merged into the next write, and the result is
/// what the storage would hold had each been written in turn; the writes of several replicas that waited together
/// reach the log as one write.
/// </summary>
public sealed class DurableWriterTests
{
    private static readonly ReplicaId Node1 = new("main", 1);

    private static LogEntry Entry(long index, long term) => new(index, term, new[] { (byte)index, (byte)term });

    private static DurableWriter OpenWriter(IRaftStorage storage)
    {
        var writer = new DurableWriter(new ReplicaStorageLog(storage), "test");
        writer.Open(Node1);
        return writer;
    }

    /// <summary>In-memory storage whose first Persist waits for the test, and which counts the Persist calls.</summary>
    private sealed class HeldStorage : IRaftStorage
    {
        public readonly InMemoryRaftStorage Inner = new();
        public readonly ManualResetEventSlim Release = new(false);
        public readonly ManualResetEventSlim Entered = new(false); // the first Persist has started
        public int Persists;

        public PersistedState Load() => Inner.Load();

        public void Persist(HardState? hardState, IReadOnlyList<LogEntry> entries)
        {
            if (Interlocked.Increment(ref Persists) == 1)
            {
                Entered.Set();
                Release.Wait(TimeSpan.FromSeconds(30));
            }
            Inner.Persist(hardState, entries);
        }

        public void SaveSnapshot(StoredSnapshot snapshot, bool discardLog) => Inner.SaveSnapshot(snapshot, discardLog);

        public void Dispose() => Inner.Dispose();
    }

    [Fact]
    public async Task Writes_queued_behind_a_slow_one_become_one_write_that_keeps_their_order_and_truncations()
    {
        var storage = new HeldStorage();
        using var writer = OpenWriter(storage);

        var first = writer.Persist(Node1, new HardState(1, 1), new[] { Entry(1, 1) });
        Assert.True(storage.Entered.Wait(TimeSpan.FromSeconds(30)));
        // While the first write is held: more entries, a new term, and a suffix replaced from index 3.
        var queued = new[]
        {
            writer.Persist(Node1, null, new[] { Entry(2, 1), Entry(3, 1), Entry(4, 1) }),
            writer.Persist(Node1, new HardState(2, 3), Array.Empty<LogEntry>()),
            writer.Persist(Node1, null, new[] { Entry(3, 2) }),
            writer.Persist(Node1, null, new[] { Entry(4, 2), Entry(5, 2) }),
        };
        Assert.False(first.IsCompleted);
        Assert.All(queued, t => Assert.False(t.IsCompleted));

        storage.Release.Set();
        await Task.WhenAll(queued.Append(first)).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(2, storage.Persists); // the held one, then everything queued behind it as one
        var state = storage.Inner.Load();
        Assert.Equal(new HardState(2, 3), state.HardState);
        Assert.Equal(new (long, long)[] { (1, 1), (2, 1), (3, 2), (4, 2), (5, 2) }, state.Log.Select(e => (e.Index, e.Term)));
        await writer.StopAsync(Node1);
    }

    [Fact]
    public async Task Stopping_drops_the_writes_not_started_and_later_writes_fail()
    {
        var storage = new HeldStorage();
        using var writer = OpenWriter(storage);
        var held = writer.Persist(Node1, new HardState(1, 1), new[] { Entry(1, 1) });
        Assert.True(storage.Entered.Wait(TimeSpan.FromSeconds(30)));
        var dropped = writer.Persist(Node1, null, new[] { Entry(2, 1) });

        var stopped = writer.StopAsync(Node1);
        storage.Release.Set();
        await stopped.WaitAsync(TimeSpan.FromSeconds(30));

        await held; // the write under way finishes
        await Assert.ThrowsAsync<RaftNodeUnavailableException>(() => dropped);
        await Assert.ThrowsAsync<RaftNodeUnavailableException>(() => writer.Persist(Node1, null, new[] { Entry(2, 1) }));
        Assert.Equal(new long[] { 1 }, storage.Inner.Load().Log.Select(e => e.Index));
    }

    /// <summary>A log that holds its first write until released, and records what each write carried.</summary>
    private sealed class HeldLog : IDurableLog
    {
        public readonly ManualResetEventSlim Release = new(false);
        public readonly ManualResetEventSlim Entered = new(false);
        public readonly List<ReplicaWrite[]> Writes = new();

        public void Persist(IReadOnlyList<ReplicaWrite> writes)
        {
            lock (Writes)
            {
                Writes.Add(writes.ToArray());
                if (Writes.Count > 1) return;
            }
            Entered.Set();
            Release.Wait(TimeSpan.FromSeconds(30));
        }

        public void SaveSnapshot(ReplicaId replica, StoredSnapshot snapshot, bool discardLog)
        {
        }

        public string? Recover() => null;
    }

    [Fact]
    public async Task The_writes_of_several_replicas_that_waited_together_reach_the_log_as_one_write()
    {
        var log = new HeldLog();
        using var writer = new DurableWriter(log, "test");
        var replicas = new[] { new ReplicaId("a", 1), new ReplicaId("b", 1), new ReplicaId("b", 2) };
        foreach (var replica in replicas) writer.Open(replica);

        var first = writer.Persist(replicas[0], new HardState(1, 1), new[] { Entry(1, 1) });
        Assert.True(log.Entered.Wait(TimeSpan.FromSeconds(30)));
        var queued = replicas.SelectMany(replica => new[]
        {
            writer.Persist(replica, null, new[] { Entry(2, 1) }),
            writer.Persist(replica, new HardState(2, replica.Node), new[] { Entry(3, 2) }),
        }).ToArray();
        log.Release.Set();
        await Task.WhenAll(queued.Append(first)).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(2, log.Writes.Count); // the held one, then all three replicas' writes in one
        var together = log.Writes[1];
        Assert.Equal(replicas, together.Select(w => w.Replica).OrderBy(r => r.Group).ThenBy(r => r.Node));
        Assert.All(together, w => Assert.Equal(new long[] { 2, 3 }, w.Entries.Select(e => e.Index)));
        Assert.All(together, w => Assert.Equal(new HardState(2, w.Replica.Node), w.HardState));
    }

    [Fact]
    public async Task A_stopped_replica_loses_only_its_own_queued_writes()
    {
        var log = new HeldLog();
        using var writer = new DurableWriter(log, "test");
        ReplicaId stopping = new("a", 1), going = new("a", 2);
        writer.Open(stopping);
        writer.Open(going);

        var held = writer.Persist(going, new HardState(1, 1), new[] { Entry(1, 1) });
        Assert.True(log.Entered.Wait(TimeSpan.FromSeconds(30)));
        var dropped = writer.Persist(stopping, null, new[] { Entry(1, 1) });
        var kept = writer.Persist(going, null, new[] { Entry(2, 1) });

        var stopped = writer.StopAsync(stopping);
        Assert.True(stopped.IsCompleted); // the write under way carries nothing of the stopped replica
        await Assert.ThrowsAsync<RaftNodeUnavailableException>(() => dropped);
        await Assert.ThrowsAsync<RaftNodeUnavailableException>(() => writer.Persist(stopping, null, new[] { Entry(2, 1) }));
        log.Release.Set();
        await Task.WhenAll(held, kept).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.DoesNotContain(log.Writes.SelectMany(w => w), w => w.Replica == stopping);

        writer.Open(stopping); // a restart: it writes again
        await writer.Persist(stopping, null, new[] { Entry(1, 1) }).WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>A log whose writes fail while <see cref="Failing"/> is set, and which counts recoveries.</summary>
    private sealed class FailingLog : IDurableLog
    {
        public volatile bool Failing;
        public int Recoveries;
        public readonly List<ReplicaWrite> Written = new();

        public void Persist(IReadOnlyList<ReplicaWrite> writes)
        {
            if (Failing) throw new IOException("No space left on device");
            lock (Written) Written.AddRange(writes);
        }

        public void SaveSnapshot(ReplicaId replica, StoredSnapshot snapshot, bool discardLog)
        {
        }

        public string? Recover()
        {
            Recoveries++;
            return null;
        }
    }

    [Fact]
    public async Task After_a_failed_write_each_replica_writes_again_only_once_it_has_opened_again()
    {
        var log = new FailingLog { Failing = true };
        using var writer = new DurableWriter(log, "test");
        ReplicaId first = new("a", 1), second = new("a", 2);
        writer.Open(first);
        writer.Open(second);

        await Assert.ThrowsAsync<IOException>(() => writer.Persist(first, null, new[] { Entry(10, 1) }));
        log.Failing = false;

        writer.Open(first); // its restart: the log is recovered first
        Assert.Equal(1, log.Recoveries);
        await writer.Persist(first, null, new[] { Entry(10, 1) }).WaitAsync(TimeSpan.FromSeconds(30));
        // The other replica was open when the write failed and has not reloaded: its writes still fail (what it
        // queued before may be lost, so what it queues now could leave a gap in its log).
        await Assert.ThrowsAsync<IOException>(() => writer.Persist(second, null, new[] { Entry(13, 1) }));
        writer.Open(second);
        Assert.Equal(1, log.Recoveries);
        await writer.Persist(second, null, new[] { Entry(10, 1) }).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(new[] { first, second }, log.Written.Select(w => w.Replica));
    }
}
