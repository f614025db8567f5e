using RocksDbSharp;

namespace RaftOrleans.State;

/// <summary>
/// New contents for a <see cref="RocksKvEngine"/>, built in a database of their own under a staging directory
/// (see <see cref="RocksStateDirectory"/>) while the engine goes on serving the old ones.
/// <para>
/// The pairs come in ascending key order (a snapshot is a scan of the leader's engine), so they are written
/// straight into table files (RocksDB's <see cref="SstFileWriter"/>) of <see cref="TableFileBytes"/> of pairs each,
/// and every finished file is ingested into the staging database, where it lands on the last level. Nothing goes
/// through a memtable, a WAL or a compaction: writing pairs one by one into a database cost the follower every
/// pair's memtable insert, then a flush and rounds of compaction of the whole state, all on the cores the leader
/// serves with (issue 10: the leader's throughput fell by 60 % while a follower installed a 6 M-key snapshot).
/// </para>
/// </summary>
internal sealed class RocksKvStaging : KvEngineStaging
{
    /// <summary>The pairs (bytes before compression) after which a table file is finished and ingested: RocksDB's own target size for its files.</summary>
    public const long TableFileBytes = 64 * 1024 * 1024;

    private static readonly IngestExternalFileOptions Move = new IngestExternalFileOptions().SetMoveFiles(true);

    private readonly RocksKvEngine _engine;
    private readonly ColumnFamilyOptions _tableOptions;
    private readonly string _path;
    private readonly int _number;
    private readonly long _tableFileBytes;
    private RocksDb? _db;
    private SstFileWriter? _file; // the table file being written, if any
    private string? _filePath;
    private long _fileBytes; // of the pairs in it, before compression
    private int _files;
    private bool _committed;

    public RocksKvStaging(RocksKvEngine engine, RocksDb db, ColumnFamilyOptions tableOptions, string path, int number,
        long tableFileBytes)
    {
        _engine = engine;
        _db = db;
        _tableOptions = tableOptions;
        _path = path;
        _number = number;
        _tableFileBytes = tableFileBytes;
    }

    public override void Put(byte[] key, byte[] value)
    {
        var db = OpenDatabase();
        CheckAscending(key);
        if (_file is null)
        {
            // Inside the staging database's directory: a crash before the commit leaves it among what the next
            // open deletes with that directory, and the ingest moves it within one file system (a link, no copy).
            _filePath = Path.Combine(_path, $"incoming-{++_files:D6}.sst");
            _file = new SstFileWriter(WritingOptions(), _tableOptions);
            _file.Open(_filePath);
        }
        _file.Put(key, value);
        _fileBytes += key.Length + value.Length;
        if (_fileBytes >= _tableFileBytes) IngestFile(db);
    }

    public override void Commit()
    {
        var db = OpenDatabase();
        _engine.ThrowIfDisposed(); // before anything is moved
        IngestFile(db);
        // No flush: the staging database only ever took ingested table files, so its memtable is empty.
        db.Dispose();
        _db = null;
        RocksStateDirectory.SyncTree(_path);
        _engine.Install(_path, _number);
        _committed = true;
    }

    public override void Dispose()
    {
        _file?.Dispose();
        _file = null;
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

    /// <summary>Finishes the table file being written, if any, and moves it into the staging database.</summary>
    private void IngestFile(RocksDb db)
    {
        if (_file is null) return;
        _file.Finish(); // writes the file's index and filter, and syncs it
        _file.Dispose();
        _file = null;
        _fileBytes = 0;
        db.IngestExternalFiles([_filePath!], Move);
    }

    /// <summary>
    /// Hands the file's pages to the disk every megabyte as it is written, so that the sync at its end has little
    /// left to do: that sync runs within one chunk's call, which must answer within <c>rpc_timeout_ms</c>.
    /// </summary>
    private static EnvOptions WritingOptions()
    {
        var options = new EnvOptions();
        Native.Instance.rocksdb_envoptions_set_bytes_per_sync(options.Handle, 1024 * 1024);
        return options;
    }
}
