using RaftOrleans.Raft;
using RaftOrleans.Storage;
using Xunit;

namespace RaftOrleans.Tests.Storage;

/// <summary>
/// The storage thread: writes queued while one is under way are merged into the next write, and the result is
/// what the storage would hold had each been written in turn.
/// </summary>
public sealed class DurableWriterTests
{
    private static LogEntry Entry(long index, long term) => new(index, term, new[] { (byte)index, (byte)term });

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
        var writer = new DurableWriter(storage, nodeId: 1);

        var first = writer.Persist(new HardState(1, 1), new[] { Entry(1, 1) });
        Assert.True(storage.Entered.Wait(TimeSpan.FromSeconds(30)));
        // While the first write is held: more entries, a new term, and a suffix replaced from index 3.
        var queued = new[]
        {
            writer.Persist(null, new[] { Entry(2, 1), Entry(3, 1), Entry(4, 1) }),
            writer.Persist(new HardState(2, 3), Array.Empty<LogEntry>()),
            writer.Persist(null, new[] { Entry(3, 2) }),
            writer.Persist(null, new[] { Entry(4, 2), Entry(5, 2) }),
        };
        Assert.False(first.IsCompleted);
        Assert.All(queued, t => Assert.False(t.IsCompleted));

        storage.Release.Set();
        await Task.WhenAll(queued.Append(first)).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(2, storage.Persists); // the held one, then everything queued behind it as one
        var state = storage.Inner.Load();
        Assert.Equal(new HardState(2, 3), state.HardState);
        Assert.Equal(new (long, long)[] { (1, 1), (2, 1), (3, 2), (4, 2), (5, 2) }, state.Log.Select(e => (e.Index, e.Term)));
        await writer.StopAsync();
    }

    [Fact]
    public async Task Stopping_drops_the_writes_not_started_and_later_writes_fail()
    {
        var storage = new HeldStorage();
        var writer = new DurableWriter(storage, nodeId: 1);
        var held = writer.Persist(new HardState(1, 1), new[] { Entry(1, 1) });
        Assert.True(storage.Entered.Wait(TimeSpan.FromSeconds(30)));
        var dropped = writer.Persist(null, new[] { Entry(2, 1) });

        var stopped = writer.StopAsync();
        storage.Release.Set();
        await stopped.WaitAsync(TimeSpan.FromSeconds(30));

        await held; // the write under way finishes
        await Assert.ThrowsAsync<RaftNodeUnavailableException>(() => dropped);
        await Assert.ThrowsAsync<RaftNodeUnavailableException>(() => writer.Persist(null, new[] { Entry(2, 1) }));
        Assert.Equal(new long[] { 1 }, storage.Inner.Load().Log.Select(e => e.Index));
    }
}
