using System.Collections;
using RocksDbSharp;

namespace RaftOrleans.State;

/// <summary>
/// A view of a <see cref="RocksKvEngine"/>: a RocksDB snapshot (a pinned sequence number, nothing copied) of one
/// database, which the view keeps open. The snapshot is released, and the database reference given back, when the
/// view is disposed and the last scan that had started is disposed too; a scan that had not started by then fails.
/// </summary>
internal sealed class RocksKvView : RocksRefCounted, IKvEngineView
{
    private readonly RocksDbHandle _database;
    private readonly Snapshot _snapshot;
    private readonly ReadOptions _reads;
    private bool _disposed;

    /// <param name="database">The database to view; the view takes over one reference to it.</param>
    public RocksKvView(RocksDbHandle database)
    {
        _database = database;
        _snapshot = database.Db.CreateSnapshot();
        // A scan reads the whole view once, to send it away: its blocks would only push the ones point lookups
        // use out of the cache.
        _reads = new ReadOptions().SetSnapshot(_snapshot).SetFillCache(false);
    }

    public IEnumerable<KeyValuePair<byte[], byte[]>> Scan()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new Pairs(this);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Release();
    }

    protected override void Free()
    {
        _snapshot.Dispose();
        _database.Release();
    }

    /// <summary>The enumerable <see cref="Scan"/> returns: each enumeration is a RocksDB iterator of its own.</summary>
    private sealed class Pairs(RocksKvView view) : IEnumerable<KeyValuePair<byte[], byte[]>>
    {
        public IEnumerator<KeyValuePair<byte[], byte[]>> GetEnumerator()
        {
            // The reference is taken here, not at the first MoveNext: a reader may open a scan now and read it
            // later, after the view's owner has let go of the view. A scan opened after that is refused, even
            // while other scans still keep the view alive.
            if (view._disposed || !view.TryAcquire())
                throw new ObjectDisposedException(nameof(RocksKvView), "the view was disposed before this scan was opened");
            return new Cursor(view);
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>One scan under way; it holds a reference to the view until disposed.</summary>
    private sealed class Cursor(RocksKvView view) : IEnumerator<KeyValuePair<byte[], byte[]>>
    {
        private Iterator? _iterator; // created at the first MoveNext, so that an unread scan pins no table files
        private bool _disposed;

        public KeyValuePair<byte[], byte[]> Current { get; private set; }

        object IEnumerator.Current => Current;

        public bool MoveNext()
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_iterator is null)
            {
                _iterator = view._database.Db.NewIterator(readOptions: view._reads);
                _iterator.SeekToFirst();
            }
            else if (_iterator.Valid())
            {
                _iterator.Next();
            }

            if (_iterator.Valid())
            {
                Current = new KeyValuePair<byte[], byte[]>(_iterator.Key(), _iterator.Value());
                return true;
            }
            // An iterator stops at the end and also on a read error (a damaged table file): tell them apart.
            Native.Instance.rocksdb_iter_get_error(_iterator.Handle);
            return false;
        }

        public void Reset() => throw new NotSupportedException("start a new scan instead");

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            _iterator?.Dispose(); // before the view (and maybe the database) goes
            view.Release();
        }
    }
}
