using System.Text;
using RaftOrleans.Kv;
using RaftOrleans.Raft;
using RaftOrleans.State;
using RaftOrleans.Tests.Kv;
using RaftOrleans.Tests.Storage;
using Xunit;

namespace RaftOrleans.Tests.State;

/// <summary>
/// The engine that holds the latest writes in memory: reads see them at once; the engine behind gets them in one
/// write, in key order and each key once, when the limit is reached or before a sync, view, scan or replace; a
/// failure to hand them on loses nothing; and on RocksDB a crash leaves the state as of one applied index.
/// </summary>
public sealed class BufferedKvEngineTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static byte[] B(string text) => Encoding.UTF8.GetBytes(text);

    private static string S(byte[]? bytes) => bytes is null ? "<none>" : Encoding.UTF8.GetString(bytes);

    private static KvChange Put(string key, string value) => new(B(key), B(value));

    private static KvChange Delete(string key) => new(B(key), null);

    private static string[] Contents(IKvEngine engine)
    {
        using var view = engine.View();
        return view.Scan().Select(pair => $"{S(pair.Key)}={S(pair.Value)}").ToArray();
    }

    [Fact]
    public void Reads_see_held_writes_and_deletes_before_the_engine_behind_has_them()
    {
        var inner = new RecordingEngine();
        inner.Write([Put("a", "old"), Put("b", "kept")]);
        var engine = new BufferedKvEngine(inner, maxEntries: 100);

        engine.Write([Put("a", "new"), Delete("b"), Put("c", "3")]);

        Assert.Equal("new", S(engine.Get(B("a"))));
        Assert.Null(engine.Get(B("b")));
        Assert.Equal("3", S(engine.Get(B("c"))));
        Assert.Single(inner.Writes); // only the set-up's
        Assert.Equal(3, engine.Held);
    }

    [Fact]
    public void Past_the_limit_the_held_writes_go_on_as_one_write_in_key_order_each_key_once_with_its_last_value()
    {
        var inner = new RecordingEngine();
        var engine = new BufferedKvEngine(inner, maxEntries: 4);

        engine.Write([Put("session", "1"), Put("k2", "v"), Put("meta", "1")]);
        engine.Write([Put("session", "2"), Put("meta", "2")]); // rewrites: still 3 keys held
        engine.Write([Put("k1", "v"), Put("meta", "3")]); // 4 keys: the limit, not past it
        Assert.Empty(inner.Writes);

        engine.Write([Put("k0", "v"), Put("meta", "4")]); // a fifth key would be past it

        Assert.Equal(["k1=v", "k2=v", "meta=3", "session=2"], Assert.Single(inner.Writes));
        Assert.Equal(2, engine.Held);
        Assert.Equal(["k0=v", "k1=v", "k2=v", "meta=4", "session=2"], Contents(engine));
    }

    [Fact]
    public void A_write_that_would_not_fit_beside_the_held_ones_sends_those_on_first()
    {
        var inner = new RecordingEngine();
        var engine = new BufferedKvEngine(inner, maxEntries: 4);

        engine.Write([Put("a", "1"), Put("b", "1")]);
        engine.Write([Put("c", "1"), Put("d", "1"), Put("e", "1")]);

        Assert.Equal(["a=1", "b=1"], Assert.Single(inner.Writes)); // batches are never split
        Assert.Equal(3, engine.Held);
    }

    [Fact]
    public void A_byte_limit_bounds_what_is_held_whatever_the_number_of_keys()
    {
        var inner = new RecordingEngine();
        var engine = new BufferedKvEngine(inner, maxEntries: 1000, maxBytes: 10);

        engine.Write([Put("a", "12345678901")]); // 12 bytes: over the limit on its own, taken whole
        Assert.Empty(inner.Writes);
        engine.Write([Put("b", "1")]);

        Assert.Equal(["a=12345678901"], Assert.Single(inner.Writes));
        Assert.Equal(1, engine.Held);
    }

    [Fact]
    public void Sync_and_scan_hand_the_held_writes_on_first()
    {
        var inner = new RecordingEngine();
        var engine = new BufferedKvEngine(inner, maxEntries: 100);

        engine.Write([Put("a", "1")]);
        engine.Sync();
        Assert.Equal(1, inner.Syncs);
        Assert.Equal(["a=1"], inner.Writes[^1]);

        engine.Write([Put("c", "1")]);
        Assert.Single(engine.ScanPrefix((byte)'c'));
        Assert.Equal(["c=1"], inner.Writes[^1]);
        Assert.Equal(0, engine.Held);
    }

    [Fact]
    public void A_view_lays_the_held_writes_over_the_engine_behind_and_stays_as_it_was_taken()
    {
        var inner = new RecordingEngine();
        inner.Write([Put("a", "old"), Put("c", "old"), Put("e", "old")]);
        var engine = new BufferedKvEngine(inner, maxEntries: 100);
        engine.Write([Put("0", "new"), Put("b", "new"), Delete("c"), Put("e", "new"), Put("f", "new")]);

        using var view = engine.View();
        engine.Write([Put("g", "later"), Delete("a")]);
        engine.Sync();

        Assert.Equal(["0=new", "a=old", "b=new", "e=new", "f=new"],
            view.Scan().Select(pair => $"{S(pair.Key)}={S(pair.Value)}").ToArray());
        Assert.Equal(["0=new", "b=new", "e=new", "f=new", "g=later"], Contents(engine));
    }

    [Fact]
    public void A_replace_replaces_the_held_writes_too()
    {
        var engine = new BufferedKvEngine(new MemoryKvEngine(), maxEntries: 100);
        engine.Write([Put("a", "before")]);

        using (var staging = engine.BeginReplace())
        {
            engine.Write([Put("z", "written while staging")]); // a write before the commit is replaced like any other
            staging.Put(B("b"), B("snapshot"));
            staging.Commit();
        }

        Assert.Equal(["b=snapshot"], Contents(engine));
        Assert.Null(engine.Get(B("z")));
    }

    [Fact]
    public void When_the_engine_behind_fails_nothing_held_is_lost_and_the_failed_write_is_not_taken()
    {
        var inner = new RecordingEngine();
        var engine = new BufferedKvEngine(inner, maxEntries: 2);
        engine.Write([Put("a", "1")]);

        inner.Fail = true;
        Assert.Throws<IOException>(() => engine.Write([Put("b", "1"), Put("c", "1")]));
        Assert.Equal("1", S(engine.Get(B("a"))));
        Assert.Null(engine.Get(B("b")));
        Assert.Throws<IOException>(() => engine.Sync());

        inner.Fail = false;
        engine.Sync();
        Assert.Equal(["a=1"], Contents(engine));
    }

    [Fact]
    public void Discard_forgets_what_is_held_as_a_crash_of_the_process_does()
    {
        var inner = new RecordingEngine();
        var engine = new BufferedKvEngine(inner, maxEntries: 100);
        engine.Write([Put("a", "1")]);
        engine.Sync();
        engine.Write([Put("b", "1")]);

        engine.Discard();

        Assert.Equal(["a=1"], Contents(engine));
    }

    [Fact]
    public void On_RocksDB_a_crash_leaves_the_state_of_one_applied_index_and_a_sync_keeps_everything()
    {
        var path = Path.Combine(_temp.Path, "state");
        var client = Guid.NewGuid();
        var expected = new Dictionary<string, string>();
        long synced;
        using (var engine = new BufferedKvEngine(RocksKvEngine.Open(path), maxEntries: 16))
        {
            var kv = new KvStateMachine(engine);
            kv.Open();
            for (var i = 1; i <= 100; i++)
            {
                kv.Apply([KvTestExtensions.Entry(i, new KvRequest(client, i, KvOperation.Put, $"key-{i:D3}", $"value-{i}"))]);
                expected[$"key-{i:D3}"] = $"value-{i}";
                if (i == 60) kv.MakeDurable();
            }
            synced = 60;
            // The process dies: what is held is gone, the engine behind is closed without a sync.
            engine.Discard();
        }

        using (var engine = new BufferedKvEngine(RocksKvEngine.Open(path), maxEntries: 16))
        {
            var kv = new KvStateMachine(engine);
            var applied = kv.Open().Index;
            Assert.InRange(applied, synced, 100);
            Assert.True(applied < 100, "the last writes were still held, so the crash must have lost some of them");
            // Exactly the state as of that index: every key up to it, none after.
            Assert.Equal(expected.Where(pair => int.Parse(pair.Key[4..]) <= applied).OrderBy(pair => pair.Key, StringComparer.Ordinal),
                kv.Data().OrderBy(pair => pair.Key, StringComparer.Ordinal));
            Assert.Equal(applied, kv.Count);

            for (var i = (int)applied + 1; i <= 100; i++) // the Raft log replays the rest
                kv.Apply([KvTestExtensions.Entry(i, new KvRequest(client, i, KvOperation.Put, $"key-{i:D3}", $"value-{i}"))]);
            kv.MakeDurable();
        }

        using (var engine = new BufferedKvEngine(RocksKvEngine.Open(path)))
        {
            var kv = new KvStateMachine(engine);
            Assert.Equal(100, kv.Open().Index);
            Assert.Equal(expected.Count, kv.Data().Count);
        }
    }

    /// <summary>An engine that records each write it gets (as "key=value" in the order given) and can be told to fail.</summary>
    private sealed class RecordingEngine : IKvEngine
    {
        private readonly MemoryKvEngine _inner = new();
        public List<string[]> Writes { get; } = new();
        public int Syncs { get; private set; }
        public bool Fail { get; set; }

        public byte[]? Get(ReadOnlySpan<byte> key) => _inner.Get(key);

        public void Write(IReadOnlyList<KvChange> changes)
        {
            if (Fail) throw new IOException("No space left on device");
            Writes.Add(changes.Select(change => $"{S(change.Key)}={S(change.Value)}").ToArray());
            _inner.Write(changes);
        }

        public void Sync()
        {
            if (Fail) throw new IOException("No space left on device");
            Syncs++;
        }

        public IKvEngineView View() => _inner.View();
        public IReadOnlyList<KeyValuePair<byte[], byte[]>> ScanPrefix(byte prefix) => _inner.ScanPrefix(prefix);
        public KvEngineStaging BeginReplace() => _inner.BeginReplace();
        public void Dispose() => _inner.Dispose();
    }
}
