using RocksDbSharp;

namespace RaftOrleans.State;

/// <summary>
/// New contents for a <see cref="RocksKvEngine"/>, built in a database of their own under a staging directory
/// (see <see cref="RocksStateDirectory"/>) while the engine goes on serving the old ones.
/// </summary>
internal sealed class RocksKvStaging : KvEngineStaging
{
    // Puts go to RocksDB in batches: one native write per pair costs more than the pair. Bounded by bytes too, as
    // values may be large.
    private const int BatchPairs = 4096;
    private const long BatchBytes = 4 * 1024 * 1024;

    // Without a WAL: the staged data only has to survive until Commit, which flushes it to table files. A crash
    // before that throws it away anyway (the next open deletes the staging directory).
    private static readonly WriteOptions Unlogged = new WriteOptions().SetSync(false).DisableWal(1);

    private readonly RocksKvEngine _engine;
    private readonly string _path;
    private readonly int _number;
    private RocksDb? _db;
    private readonly WriteBatch _batch = new();
    private long _batchBytes;
    private bool _committed;

    public RocksKvStaging(RocksKvEngine engine, RocksDb db, string path, int number)
    {
        _engine = engine;
        _db = db;
        _path = path;
        _number = number;
    }

    public override void Put(byte[] key, byte[] value)
    {
        var db = OpenDatabase();
        _batch.Put(key, value);
        _batchBytes += key.Length + value.Length;
        if (_batch.Count() >= BatchPairs || _batchBytes >= BatchBytes) WriteBatch(db);
    }

    public override void Commit()
    {
        var db = OpenDatabase();
        _engine.ThrowIfDisposed(); // before anything is moved
        WriteBatch(db);
        // Table files only: nothing staged lives in a WAL. Waiting makes a flush error surface here.
        db.Flush(new FlushOptions().SetWaitForFlush(true));
        db.Dispose();
        _db = null;
        RocksStateDirectory.SyncTree(_path);
        _engine.Install(_path, _number);
        _committed = true;
    }

    public override void Dispose()
    {
        _batch.Dispose();
        _db?.Dispose();
        _db = null;
        if (_committed) return;
        // Not committed (or the commit failed before the directory was renamed): the staged data goes.
        if (Directory.Exists(_path)) Directory.Delete(_path, recursive: true);
    }

    private RocksDb OpenDatabase()
    {
        if (_committed) throw new InvalidOperationException("the staged contents are committed already");
        return _db ?? throw new ObjectDisposedException(nameof(RocksKvStaging));
    }

    private void WriteBatch(RocksDb db)
    {
        if (_batch.Count() == 0) return;
        db.Write(_batch, Unlogged);
        _batch.Clear();
        _batchBytes = 0;
    }
}
