using RaftOrleans.Storage;
using RocksDbSharp;

namespace RaftOrleans.State;

/// <summary>
/// The engine on disk: a RocksDB database in the node's state directory (layout: <see cref="RocksStateDirectory"/>,
/// settings and memory bounds: <see cref="RocksTuning"/>).
/// <para>
/// Writes go to RocksDB's WAL without a sync (the Raft log is the durable record; <see cref="Sync"/> syncs when
/// the node needs it). A view is a RocksDB snapshot. A replace builds a new database beside the live one (from
/// table files it writes itself, see <see cref="RocksKvStaging"/>) and switches to it at commit; the old database stays open for the views still reading it, and is closed and
/// deleted after the last of them.
/// </para>
/// </summary>
public sealed class RocksKvEngine : IKvEngine
{
    private static readonly WriteOptions Unsynced = new WriteOptions().SetSync(false);

    private readonly RocksStateDirectory _directory;
    private readonly RocksTuning _tuning;
    private RocksDbHandle _live;
    private bool _disposed;

    private RocksKvEngine(RocksStateDirectory directory, RocksTuning tuning, RocksDbHandle live)
    {
        _directory = directory;
        _tuning = tuning;
        _live = live;
    }

    /// <summary>
    /// Opens the engine in <paramref name="directory"/> (a node's state directory), creating it when it is missing or
    /// empty, and deleting whatever an interrupted replace left there.
    /// </summary>
    /// <exception cref="StateEngineException">The directory was written by another engine or format, its layout is
    /// broken, or RocksDB finds the database damaged.</exception>
    /// <exception cref="IOException">Another engine, in this process or another, has the directory open.</exception>
    public static RocksKvEngine Open(string directory)
    {
        var state = RocksStateDirectory.Claim(directory);
        var live = state.ReadPointer();
        var tuning = new RocksTuning();
        RocksDbHandle? handle = null;
        try
        {
            if (live is not null)
            {
                // Opening takes RocksDB's lock on the live database, so a directory another engine is using is
                // refused here, before the clean-up below could delete that engine's staging or retired databases.
                handle = Open(tuning, state.DatabasePath(live), create: false);
                state.RemoveLeftovers(live);
                return new RocksKvEngine(state, tuning, handle);
            }

            // First start (or one cut short before CURRENT-DB was written): a new empty database, then the pointer.
            state.RemoveLeftovers(null);
            var name = RocksStateDirectory.DatabaseName(state.NextNumber());
            handle = Open(tuning, state.DatabasePath(name), create: true);
            state.WritePointer(name);
            return new RocksKvEngine(state, tuning, handle);
        }
        catch
        {
            handle?.Release();
            tuning.Dispose();
            throw;
        }
    }

    public byte[]? Get(ReadOnlySpan<byte> key)
    {
        ThrowIfDisposed();
        return _live.Db.Get(key);
    }

    public void Write(IReadOnlyList<KvChange> changes)
    {
        ThrowIfDisposed();
        if (changes.Count == 0) return;
        using var batch = new WriteBatch();
        foreach (var (key, value) in changes)
        {
            if (value is null) batch.Delete(key);
            else batch.Put(key, value);
        }
        _live.Db.Write(batch, Unsynced);
    }

    public void Sync()
    {
        ThrowIfDisposed();
        // FlushWAL(sync: true). Each write has handed its WAL record to the OS already (manual WAL flushing is
        // off), so this only fsyncs the WAL files. Table files need nothing: RocksDB syncs them as it writes them.
        Native.Instance.rocksdb_flush_wal(_live.Db.Handle, Native.MarshalBool(true));
    }

    public IReadOnlyList<KeyValuePair<byte[], byte[]>> ScanPrefix(byte prefix)
    {
        ThrowIfDisposed();
        var pairs = new List<KeyValuePair<byte[], byte[]>>();
        using var iterator = _live.Db.NewIterator();
        for (iterator.Seek([prefix]); iterator.Valid(); iterator.Next())
        {
            var key = iterator.Key();
            if (key.Length == 0 || key[0] != prefix) break;
            pairs.Add(new KeyValuePair<byte[], byte[]>(key, iterator.Value()));
        }
        // An iterator stops at the end of the range and also on a read error (a damaged table file): tell them apart.
        Native.Instance.rocksdb_iter_get_error(iterator.Handle);
        return pairs;
    }

    public IKvEngineView View()
    {
        ThrowIfDisposed();
        if (!_live.TryAcquire()) throw new ObjectDisposedException(nameof(RocksKvEngine)); // cannot happen while not disposed
        try
        {
            return new RocksKvView(_live);
        }
        catch
        {
            _live.Release();
            throw;
        }
    }

    /// <summary>A RocksDB property of the live database (for tests and checks), or null when it has none of that name.</summary>
    internal string? Property(string name)
    {
        ThrowIfDisposed();
        return _live.Db.GetProperty(name);
    }

    /// <summary>The size of the table files a replace writes (see <see cref="RocksKvStaging"/>); tests make it small.</summary>
    internal long StagingTableFileBytes { get; set; } = RocksKvStaging.TableFileBytes;

    public KvEngineStaging BeginReplace()
    {
        ThrowIfDisposed();
        var number = _directory.NextNumber();
        var path = _directory.StagingPath(number);
        return new RocksKvStaging(this, OpenDatabase(_tuning, path, create: true), _tuning.TableFileOptions(), path, number,
            StagingTableFileBytes);
    }

    /// <summary>
    /// Closes the engine. Views still open keep its database open until they (and their scans) are disposed.
    /// </summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _live.Release();
        _tuning.Dispose();
    }

    internal void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    /// <summary>
    /// Makes the closed, synced database at <paramref name="stagedPath"/> the engine's contents (the end of
    /// <see cref="KvEngineStaging.Commit"/>). Until <c>CURRENT-DB</c> is switched, a crash or an error leaves the
    /// old contents in place (the next open deletes the new directory); after it, the new ones.
    /// </summary>
    internal void Install(string stagedPath, int number)
    {
        ThrowIfDisposed();
        var name = RocksStateDirectory.DatabaseName(number);
        var path = _directory.DatabasePath(name);
        Directory.Move(stagedPath, path);
        Durable.SyncDirectory(_directory.Path);
        // Open before switching the pointer: a database that cannot be opened must not become the live one.
        var next = Open(_tuning, path, create: false);
        try
        {
            // The commit point. Should it fail after the rename took effect, the node holds the old contents until
            // it restarts and the new ones after: both are whole states, and Raft brings either up to date.
            _directory.WritePointer(name);
        }
        catch
        {
            next.Release();
            throw;
        }

        var old = _live;
        _live = next;
        old.Retire();
        old.Release();
    }

    private static RocksDbHandle Open(RocksTuning tuning, string path, bool create) =>
        new(OpenDatabase(tuning, path, create), path);

    private static RocksDb OpenDatabase(RocksTuning tuning, string path, bool create)
    {
        try
        {
            return RocksDb.Open(tuning.Options(create), path);
        }
        catch (RocksDbException e) when (e.Message.Contains(Path.Combine(path, "LOCK"), StringComparison.Ordinal))
        {
            // Not damage, and wiping would be the worst advice: someone else has the database open.
            throw new IOException($"{path}: the database is in use by another engine (is another node configured " +
                                  $"with the same directory, or was this one not disposed?); RocksDB: {e.Message}", e);
        }
        catch (RocksDbException e)
        {
            throw new StateEngineException(path, $"RocksDB cannot open the database: {e.Message}", e);
        }
    }
}
