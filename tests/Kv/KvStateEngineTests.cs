using RaftOrleans.Kv;
using RaftOrleans.Raft;
using RaftOrleans.Replica;
using RaftOrleans.State;
using Xunit;

namespace RaftOrleans.Tests.Kv;

/// <summary>
/// The KV state on its engine: a batch of entries is one atomic write with its applied index; a reopened state is
/// the state as it was; a snapshot is a frozen view streamed in chunks and installed only when whole and intact.
/// </summary>
public class KvStateEngineTests
{
    private static readonly Guid Client = Guid.Parse("5e55104e-0000-4000-8000-000000000001");
    private long _sequence;

    private KvRequest Put(string key, string value) => new(Client, ++_sequence, KvOperation.Put, key, value);
    private KvRequest Get(string key) => new(Client, ++_sequence, KvOperation.Get, key); // a get through the log, as these tests send it, takes a number
    private KvRequest Delete(string key) => new(Client, ++_sequence, KvOperation.Delete, key);

    [Fact]
    public void A_batch_is_one_engine_write_that_carries_its_applied_index()
    {
        var engine = new CountingEngine();
        var kv = new KvStateMachine(engine);

        var results = kv.Apply([
            KvTestExtensions.Entry(1, Put("a", "1")),
            LogEntry.NoOp(2, 2),
            KvTestExtensions.Entry(3, Get("a"), term: 2),
            KvTestExtensions.Entry(4, Delete("a"), term: 2),
            KvTestExtensions.Entry(5, Put("a", "2"), term: 2),
        ]);

        Assert.Equal([KvResult.Ok, null, KvResult.Found("1"), KvResult.Ok, KvResult.Ok], results);
        Assert.Equal(1, engine.Writes);
        Assert.Equal(new AppliedPoint(5, 2), kv.Applied);
        var reopened = new KvStateMachine(engine);
        Assert.Equal(new AppliedPoint(5, 2), reopened.Open());
        Assert.Equal(KvResult.Found("2"), reopened.Read("a"));
        Assert.Equal(1, reopened.Count);
        Assert.Equal(kv.Digest, reopened.Digest);
    }

    [Fact]
    public void An_entry_that_does_not_follow_the_applied_index_is_refused()
    {
        var kv = KvTestExtensions.NewInMemory();
        kv.Apply(Put("a", "1"));

        Assert.Throws<InvalidOperationException>(() => kv.Apply([KvTestExtensions.Entry(3, Put("b", "2"))]));
        Assert.Equal(1, kv.Applied.Index);
    }

    [Fact]
    public void A_failed_engine_write_leaves_the_state_as_it_was()
    {
        var engine = new CountingEngine();
        var kv = new KvStateMachine(engine);
        kv.Apply(Put("a", "1"));
        engine.FailWrites = true;

        Assert.Throws<IOException>(() => kv.Apply(Put("b", "2")));

        Assert.Equal(1, kv.Applied.Index);
        Assert.Equal(1, kv.Count);
        engine.FailWrites = false;
        Assert.Equal(KvResult.NotFound, kv.Read("b")); // nothing of the failed batch shows
        Assert.Equal(KvResult.Ok, kv.Apply([KvTestExtensions.Entry(2, Put("c", "3"))])[0]);
    }

    [Fact]
    public void A_snapshot_streams_the_state_as_of_its_point_while_applying_goes_on()
    {
        var source = KvTestExtensions.NewInMemory();
        for (var i = 0; i < 200; i++) source.Apply(Put($"key-{i:D3}", new string('v', i)));
        using var snapshot = source.TakeSnapshot();
        var expected = source.ReadAll();
        source.Apply(Put("after", "x")); // not in the snapshot
        source.Apply(Delete("key-000"));

        var target = KvTestExtensions.NewInMemory();
        target.Apply(new KvRequest(Guid.NewGuid(), 1, KvOperation.Put, "old", "gone after the install")); // another client: the target has none of Client's session
        var chunks = Chunks(snapshot, maxBytes: 512);
        Assert.True(chunks.Count > 10);
        using (var install = target.BeginInstall(snapshot.Point.Index, snapshot.Point.Term))
        {
            foreach (var chunk in chunks) install.Write(chunk);
            Assert.Equal(KvResult.Found("gone after the install"), target.Read("old")); // nothing changes before the commit
            install.Commit();
        }

        Assert.Equal(snapshot.Point, target.Applied);
        var installed = target.ReadAll();
        Assert.Equal(expected.Data, installed.Data);
        Assert.Equal(expected.Sessions, installed.Sessions);
        Assert.Equal(200, target.Count);
        Assert.Equal(KvResult.NotFound, target.Read("old"));
        Assert.Equal(KvResult.NotFound, target.Read("after"));
        // The installed state answers a retry exactly as the source did: the session came with it.
        Assert.Equal(KvResult.Ok, target.Apply([KvTestExtensions.Entry(201, new KvRequest(Client, 200, KvOperation.Put, "key-199", "other"))])[0]);
    }

    [Fact]
    public void A_damaged_chunk_is_refused_before_anything_is_replaced()
    {
        var (source, snapshot) = SourceWithSnapshot();
        var target = KvTestExtensions.NewInMemory();
        target.Apply(new KvRequest(Guid.NewGuid(), 1, KvOperation.Put, "mine", "kept")); // another client: the target has none of Client's session
        var chunks = Chunks(snapshot, maxBytes: 256);
        chunks[chunks.Count / 2][^3] ^= 0x40; // a byte inside a value: only the trailer's hash can tell

        using (var install = target.BeginInstall(snapshot.Point.Index, snapshot.Point.Term))
        {
            Assert.Throws<FormatException>(() =>
            {
                foreach (var chunk in chunks) install.Write(chunk);
            });
            Assert.Throws<FormatException>(install.Commit);
        }

        Assert.Equal(KvResult.Found("kept"), target.Read("mine"));
        Assert.Equal(1, target.Applied.Index);
        GC.KeepAlive(source);
    }

    [Fact]
    public void A_missing_chunk_or_a_missing_end_is_refused()
    {
        var (_, snapshot) = SourceWithSnapshot();
        var chunks = Chunks(snapshot, maxBytes: 256);
        var target = KvTestExtensions.NewInMemory();

        using (var install = target.BeginInstall(snapshot.Point.Index, snapshot.Point.Term))
        {
            Assert.Throws<FormatException>(() =>
            {
                foreach (var chunk in chunks.Where((_, i) => i != 2)) install.Write(chunk);
            });
        }
        using (var install = target.BeginInstall(snapshot.Point.Index, snapshot.Point.Term))
        {
            foreach (var chunk in chunks.SkipLast(1)) install.Write(chunk);
            Assert.Throws<FormatException>(install.Commit);
        }
        Assert.Equal(0, target.Applied.Index);
    }

    [Fact]
    public void A_snapshot_announced_for_another_point_is_refused()
    {
        var (_, snapshot) = SourceWithSnapshot();
        var target = KvTestExtensions.NewInMemory();

        using var install = target.BeginInstall(snapshot.Point.Index + 1, snapshot.Point.Term);

        Assert.Throws<FormatException>(() => install.Write(Chunks(snapshot, maxBytes: 1 << 20)[0]));
    }

    [Fact]
    public void A_snapshot_whose_pairs_are_out_of_key_order_is_refused()
    {
        var (_, snapshot) = SourceWithSnapshot();
        var pairs = Pairs(snapshot);
        (pairs[1], pairs[2]) = (pairs[2], pairs[1]);
        // A well-formed stream (its count and hash agree) whose only fault is the order.
        var stream = new System.Buffers.ArrayBufferWriter<byte>();
        var hash = new System.IO.Hashing.XxHash64();
        SnapshotStream.WriteHeader(stream, snapshot.Point.Index, snapshot.Point.Term);
        foreach (var (key, value) in pairs) SnapshotStream.WritePair(stream, key, value, hash);
        SnapshotStream.WriteTrailer(stream, pairs.Count, hash.GetCurrentHashAsUInt64());
        var target = KvTestExtensions.NewInMemory();

        using var install = target.BeginInstall(snapshot.Point.Index, snapshot.Point.Term);

        var error = Assert.Throws<FormatException>(() => install.Write(stream.WrittenSpan));
        Assert.Contains("ascending key order", error.Message);
        Assert.Throws<FormatException>(install.Commit);
        Assert.Equal(0, target.Applied.Index);
    }

    /// <summary>The pairs a snapshot's stream carries, decoded.</summary>
    private static List<KeyValuePair<byte[], byte[]>> Pairs(IStateSnapshot snapshot)
    {
        var pairs = new List<KeyValuePair<byte[], byte[]>>();
        var install = new EngineInstall(new MemoryKvEngine().BeginReplace(), snapshot.Point,
            onPair: (key, value) => pairs.Add(new(key, value)), complete: () => { }, committed: () => { });
        foreach (var chunk in Chunks(snapshot, maxBytes: 1 << 20)) install.Write(chunk);
        return pairs;
    }

    private (KvStateMachine Source, IStateSnapshot Snapshot) SourceWithSnapshot()
    {
        var source = KvTestExtensions.NewInMemory();
        for (var i = 0; i < 50; i++) source.Apply(Put($"k{i}", $"value {i}"));
        return (source, source.TakeSnapshot());
    }

    private static List<byte[]> Chunks(IStateSnapshot snapshot, int maxBytes)
    {
        var chunks = new List<byte[]>();
        using var reader = snapshot.OpenReader();
        while (true)
        {
            var (chunk, last) = reader.Next(maxBytes);
            chunks.Add(chunk);
            if (last) return chunks;
        }
    }

    /// <summary>An engine that counts its writes and can be told to fail them (a full disk).</summary>
    private sealed class CountingEngine : IKvEngine
    {
        private readonly MemoryKvEngine _inner = new();
        public int Writes { get; private set; }
        public bool FailWrites { get; set; }

        public byte[]? Get(ReadOnlySpan<byte> key) => _inner.Get(key);

        public void Write(IReadOnlyList<KvChange> changes)
        {
            if (FailWrites) throw new IOException("No space left on device");
            Writes++;
            _inner.Write(changes);
        }

        public void Sync() => _inner.Sync();
        public IKvEngineView View() => _inner.View();

        public IReadOnlyList<KeyValuePair<byte[], byte[]>> ScanPrefix(byte prefix) => _inner.ScanPrefix(prefix);
        public KvEngineStaging BeginReplace() => _inner.BeginReplace();
        public void Dispose() => _inner.Dispose();
    }
}
