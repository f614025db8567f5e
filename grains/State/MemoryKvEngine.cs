namespace RaftOrleans.State;

/// <summary>
/// The engine of <c>storage.kind = "memory"</c>: a sorted map on the heap, lost with the process (it survives the
/// fault injection's crash and restart of a node, as the in-memory Raft log does). Also the base of the
/// simulation's engine. A view is a copy, so it costs O(state): fine for tests and demos, which is all it is for.
/// </summary>
public sealed class MemoryKvEngine : IKvEngine
{
    private SortedDictionary<byte[], byte[]> _pairs;

    public MemoryKvEngine() : this(Array.Empty<KeyValuePair<byte[], byte[]>>())
    {
    }

    /// <summary>An engine holding <paramref name="pairs"/> (the simulation rebuilds what survived a crash this way).</summary>
    public MemoryKvEngine(IEnumerable<KeyValuePair<byte[], byte[]>> pairs)
    {
        _pairs = new SortedDictionary<byte[], byte[]>(ByteOrder.Instance);
        foreach (var (key, value) in pairs) _pairs[key] = value;
    }

    public byte[]? Get(ReadOnlySpan<byte> key) => _pairs.GetValueOrDefault(key.ToArray());

    public void Write(IReadOnlyList<KvChange> changes)
    {
        foreach (var change in changes)
        {
            if (change.Value is null) _pairs.Remove(change.Key);
            else _pairs[change.Key] = change.Value;
        }
    }

    public void Sync()
    {
    }

    public IReadOnlyList<KeyValuePair<byte[], byte[]>> ScanPrefix(byte prefix) =>
        _pairs.Where(pair => pair.Key.Length > 0 && pair.Key[0] == prefix).ToArray();

    /// <summary>Every pair, in key order (a copy).</summary>
    public KeyValuePair<byte[], byte[]>[] Contents() => _pairs.ToArray();

    public IKvEngineView View() => new CopiedView(Contents());

    public KvEngineStaging BeginReplace() => new Staging(this);

    public void Dispose()
    {
    }

    private sealed class CopiedView(KeyValuePair<byte[], byte[]>[] pairs) : IKvEngineView
    {
        public IEnumerable<KeyValuePair<byte[], byte[]>> Scan() => pairs;

        public void Dispose()
        {
        }
    }

    private sealed class Staging(MemoryKvEngine engine) : KvEngineStaging
    {
        private readonly SortedDictionary<byte[], byte[]> _staged = new(ByteOrder.Instance);

        public override void Put(byte[] key, byte[] value)
        {
            CheckAscending(key);
            _staged[key] = value;
        }

        public override void Commit() => engine._pairs = _staged;

        public override void Dispose()
        {
        }
    }
}

/// <summary>Byte strings in the order RocksDB keeps them (lexicographic, unsigned), with equality to match.</summary>
public sealed class ByteOrder : IComparer<byte[]>, IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
{
    public static readonly ByteOrder Instance = new();

    public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);

    public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

    public int GetHashCode(byte[] bytes) => GetHashCode(bytes.AsSpan());

    // Lookups by span (BufferedKvEngine.Get) without copying the key into an array first.
    public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

    public int GetHashCode(ReadOnlySpan<byte> alternate)
    {
        var hash = new HashCode();
        hash.AddBytes(alternate);
        return hash.ToHashCode();
    }

    public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
}
