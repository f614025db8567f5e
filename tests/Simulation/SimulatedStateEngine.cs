using RaftOrleans.Kv;
using RaftOrleans.State;

namespace RaftOrleans.Tests.Simulation;

/// <summary>
/// A node's state engine as a power failure sees it: every write is atomic, and a crash keeps what was synced plus
/// any prefix of the writes after it (none, some or all: the simulation's randomness decides), as RocksDB's
/// unsynced write-ahead log may lose its tail. A replace (an installed snapshot) is durable when it returns.
/// Views are copies (the simulation's states are small).
/// </summary>
internal sealed class SimulatedStateEngine(Random world) : IKvEngine
{
    private MemoryKvEngine _live = new();
    private KeyValuePair<byte[], byte[]>[] _durable = Array.Empty<KeyValuePair<byte[], byte[]>>();
    private readonly List<KvChange[]> _unsynced = new(); // writes since the last sync, oldest first

    /// <summary>The index the durable image has applied up to: what survives any crash (the checker asks after every batch).</summary>
    public long DurableApplied { get; private set; }

    /// <summary>Writes not yet synced (a crash may lose them).</summary>
    public int Unsynced => _unsynced.Count;

    public byte[]? Get(ReadOnlySpan<byte> key) => _live.Get(key);

    public void Write(IReadOnlyList<KvChange> changes)
    {
        _live.Write(changes);
        _unsynced.Add(changes.ToArray());
    }

    public void Sync()
    {
        _durable = _live.Contents();
        _unsynced.Clear();
        DurableApplied = KvRecords.DecodeMeta(_live.Get(KvRecords.MetaKey)).Index;
    }

    public IKvEngineView View() => _live.View();

    public IReadOnlyList<KeyValuePair<byte[], byte[]>> ScanPrefix(byte prefix) => _live.ScanPrefix(prefix);

    public KvEngineStaging BeginReplace() => new Staging(this);

    /// <summary>A power failure: the synced image and a random prefix of the writes after it survive. Returns how many writes were lost.</summary>
    public int Crash()
    {
        var kept = world.Next(_unsynced.Count + 1);
        var lost = _unsynced.Count - kept;
        _live = new MemoryKvEngine(_durable);
        foreach (var write in _unsynced.Take(kept)) _live.Write(write);
        Sync(); // what survived is on the disk now
        return lost;
    }

    public void Dispose()
    {
    }

    private sealed class Staging(SimulatedStateEngine engine) : KvEngineStaging
    {
        private readonly MemoryKvEngine _staged = new();

        public override void Put(byte[] key, byte[] value)
        {
            CheckAscending(key);
            _staged.Write([new KvChange(key, value)]);
        }

        public override void Commit()
        {
            engine._live = _staged;
            engine.Sync();
        }

        public override void Dispose()
        {
        }
    }
}
