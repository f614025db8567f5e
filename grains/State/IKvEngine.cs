namespace RaftOrleans.State;

/// <summary>
/// The embedded storage engine under a node's state machine: an ordered map of byte keys to byte values that
/// writes batches atomically. The state machine keeps its data, its client sessions and its applied index in
/// it, all in the same atomic writes, so what the engine holds after a crash is always the state as of one
/// applied index. RocksDB on disk (<see cref="RocksKvEngine"/>), a dictionary in memory (<see cref="MemoryKvEngine"/>).
/// <para>
/// Single-threaded: the node calls it on its own turn only (views are read on that turn too).
/// </para>
/// </summary>
public interface IKvEngine : IDisposable
{
    /// <summary>The value stored under <paramref name="key"/>, or null.</summary>
    byte[]? Get(ReadOnlySpan<byte> key);

    /// <summary>
    /// Applies <paramref name="changes"/> (a null value deletes the key) as one atomic write: after a crash either
    /// all of them are there or none. Not synced: a power failure may lose it (and every write after it) until
    /// <see cref="Sync"/>; RocksDB's keeps it through a process crash, <see cref="BufferedKvEngine"/> may not.
    /// </summary>
    void Write(IReadOnlyList<KvChange> changes);

    /// <summary>Makes every write so far survive a power failure.</summary>
    void Sync();

    /// <summary>Every pair whose key starts with <paramref name="prefix"/>, in key order, as of now (a copy: for small ranges).</summary>
    IReadOnlyList<KeyValuePair<byte[], byte[]>> ScanPrefix(byte prefix);

    /// <summary>
    /// A consistent view of the contents as of now: writes after it, and a later <see cref="KvEngineStaging.Commit"/>,
    /// do not show in it. Cheap to take (RocksDB pins a sequence number). Dispose it when done; scans already
    /// under way keep it alive until they are disposed.
    /// </summary>
    IKvEngineView View();

    /// <summary>
    /// Starts building new contents that will replace the whole of the current ones (a snapshot from the leader).
    /// Nothing changes until <see cref="KvEngineStaging.Commit"/>; disposing it without a commit throws the
    /// staged data away.
    /// </summary>
    KvEngineStaging BeginReplace();
}

/// <summary>One change of an atomic write: put <see cref="Value"/> under <see cref="Key"/>, or delete the key when it is null.</summary>
public readonly record struct KvChange(byte[] Key, byte[]? Value);

/// <summary>A frozen view of an engine (see <see cref="IKvEngine.View"/>).</summary>
public interface IKvEngineView : IDisposable
{
    /// <summary>
    /// Every pair of the view in ascending key order. May be enumerated several times, and several enumerations
    /// may be under way at once (one per follower being sent the snapshot).
    /// </summary>
    IEnumerable<KeyValuePair<byte[], byte[]>> Scan();
}

/// <summary>New contents being built to replace an engine's (see <see cref="IKvEngine.BeginReplace"/>).</summary>
public abstract class KvEngineStaging : IDisposable
{
    /// <summary>
    /// Adds one pair. Pairs come in strictly ascending key order (as a view's scan gives them), which lets an engine
    /// write them out as sorted files directly.
    /// </summary>
    /// <exception cref="ArgumentException">The key is not above the previous pair's.</exception>
    public abstract void Put(byte[] key, byte[] value);

    /// <summary>
    /// Replaces the engine's whole contents by the staged ones, atomically and durably: after a crash at any
    /// point the engine holds either the old contents or the new, complete. Views taken before stay as they were.
    /// </summary>
    public abstract void Commit();

    /// <summary>Throws the staged contents away unless committed.</summary>
    public abstract void Dispose();

    private byte[]? _lastKey;

    /// <summary>For <see cref="Put"/>: refuses a key that is not above the previous one.</summary>
    /// <exception cref="ArgumentException">It is not.</exception>
    protected void CheckAscending(byte[] key)
    {
        if (_lastKey is not null && key.AsSpan().SequenceCompareTo(_lastKey) <= 0)
            throw new ArgumentException("the staged pairs must come in strictly ascending key order", nameof(key));
        _lastKey = key;
    }
}
