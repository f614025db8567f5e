using RocksDbSharp;

namespace RaftOrleans.State;

/// <summary>
/// Every RocksDB setting of the state engine, in one place.
/// <para>
/// Memory is bounded by these numbers, not by the number of keys. Several engines may share a process (the local
/// cluster and the tests run five nodes in one), so each stays modest; per engine, worst case about 100 MB:
/// <list type="bullet">
/// <item>the block cache, <see cref="BlockCacheBytes"/> (32 MB): data blocks, and also the index and bloom filter
/// blocks, which would otherwise sit on the heap for every open table file and grow with the data;</item>
/// <item>memtables, <see cref="MemtableBudgetBytes"/> (64 MB) for all of them together: the live database's and,
/// during a replace, the staging database's (both use the one write buffer manager and the one cache);</item>
/// <item>a few MB more: the table readers of at most <see cref="MaxOpenFiles"/> files per database, the blocks
/// pinned by scans under way, RocksDB's own bookkeeping.</item>
/// </list>
/// </para>
/// </summary>
internal sealed class RocksTuning : IDisposable
{
    private const ulong MB = 1024 * 1024;

    /// <summary>LRU cache of uncompressed blocks, shared by the engine's databases.</summary>
    public const ulong BlockCacheBytes = 32 * MB;

    /// <summary>One memtable: writes gather in it and go to a table file (L0) when it is full.</summary>
    public const ulong WriteBufferBytes = 32 * MB;

    /// <summary>
    /// Memtables per database: one taking writes while the other is flushed. Were both full, writes wait for the
    /// flush instead of taking more memory.
    /// </summary>
    public const int MaxWriteBuffers = 2;

    /// <summary>
    /// All memtables of the engine together (the write buffer manager): near it RocksDB flushes early. Without it a
    /// replace would double the memtable memory, the live database and the staged one each holding two. It is a
    /// soft limit (writes never stall on it); the hard one is <see cref="MaxWriteBuffers"/> x
    /// <see cref="WriteBufferBytes"/> per database.
    /// </summary>
    public const ulong MemtableBudgetBytes = 64 * MB;

    /// <summary>
    /// Table files kept open per database; more are opened on demand and the least used closed. With 64 MB files
    /// (RocksDB's default target size) that is 16 GB of data before any reopening, and five nodes in a process
    /// stay far below the descriptor limit (.NET raises the soft limit to the hard one at start).
    /// </summary>
    public const int MaxOpenFiles = 256;

    /// <summary>
    /// Bloom filter bits per key: about 1% false positives. Point lookups of absent keys are common (a put-if-absent
    /// reads the key first), and the filter answers most of them without reading a data block. Filters are kept on
    /// the last level too (no optimize_filters_for_hits), because that is where most keys, present or not, are
    /// looked for.
    /// </summary>
    public const int BloomBitsPerKey = 10;

    /// <summary>
    /// Share of each memtable given to a bloom filter over its whole keys. A put-if-absent looks up a fresh key,
    /// absent everywhere: without the filter every lookup searched the memtable's skip list, which was the silo's
    /// largest single cost under 64 writing clients (16 % of its CPU in the profile of issue 10).
    /// </summary>
    public const double MemtableBloomRatio = 0.1;

    /// <summary>RocksDB's own log (the LOG file in the database directory): rolled at this size...</summary>
    public const ulong InfoLogFileBytes = 4 * MB;

    /// <summary>...and this many old ones kept (RocksDB's default, 1000, is unbounded in practice).</summary>
    public const ulong InfoLogFilesKept = 3;

    private readonly Cache _blockCache = Cache.CreateLru(BlockCacheBytes);

    // The native write buffer manager is reference-counted inside RocksDB: the options (and the databases opened
    // with them) hold it too, so disposing this holder never pulls it from under a database.
    private IntPtr _writeBufferManager =
        Native.Instance.rocksdb_write_buffer_manager_create(new UIntPtr(MemtableBudgetBytes), Native.MarshalBool(false));

    /// <summary>
    /// Options to open a database with: <paramref name="create"/> for a new one (which must not exist yet), else
    /// an existing one (which must exist: a missing database is an error, never silently a new empty one).
    /// </summary>
    public DbOptions Options(bool create)
    {
        ObjectDisposedException.ThrowIf(_writeBufferManager == IntPtr.Zero, this);

        var options = new DbOptions()
            .SetCreateIfMissing(create)
            .SetErrorIfExists(create)
            .SetBlockBasedTableFactory(TableOptions())
            .SetWriteBufferSize(WriteBufferBytes)
            .SetMaxWriteBufferNumber(MaxWriteBuffers)
            .SetMaxOpenFiles(MaxOpenFiles)
            // After a crash, replay the WAL up to its first damaged record and stop: what is left is a prefix of the
            // writes, i.e. the state as of one applied index. (Absolute consistency would refuse to start after the
            // torn last record a power failure leaves; skipping damaged records would leave holes.)
            .SetWalRecoveryMode(Recovery.PointInTime)
            .SetKeepLogFileNum(InfoLogFilesKept)
            .SetMaxLogFileSize(InfoLogFileBytes)
            .SetMemtablePrefixBloomSizeRatio(MemtableBloomRatio);
        Native.Instance.rocksdb_options_set_memtable_whole_key_filtering(options.Handle, Native.MarshalBool(true));
        Native.Instance.rocksdb_options_set_write_buffer_manager(options.Handle, _writeBufferManager);

        // Everything else stays RocksDB's default, on purpose: level compaction (with dynamic level sizes), 64 MB
        // table files, the build's default compression (LZ4 in the package's library), checksums verified on read,
        // two background jobs per database.
        return options;
    }

    /// <summary>
    /// Options for the table files a replace writes itself (<see cref="RocksKvStaging"/>): the same table format as the
    /// database's own files (filters, index, compression), since they become its last level as they are.
    /// </summary>
    public ColumnFamilyOptions TableFileOptions()
    {
        ObjectDisposedException.ThrowIf(_writeBufferManager == IntPtr.Zero, this);
        return new ColumnFamilyOptions().SetBlockBasedTableFactory(TableOptions());
    }

    /// <summary>How table files are laid out: blocks, filters and indexes, and where they are cached.</summary>
    private BlockBasedTableOptions TableOptions()
    {
        // The filter policy belongs to the table options it is given to, so each set of options gets its own.
        var tables = new BlockBasedTableOptions()
            .SetBlockCache(_blockCache)
            .SetFilterPolicy(BloomFilterPolicy.Create(BloomBitsPerKey, use_block_based_builder: false))
            .SetWholeKeyFiltering(true)
            // Index and filter blocks count against the cache (see the class comment); those of L0, which every
            // lookup consults, stay pinned so that data blocks cannot push them out.
            .SetCacheIndexAndFilterBlocks(true)
            .SetPinL0FilterAndIndexBlocksInCache(true)
            .SetIndexType(BlockBasedTableIndexType.TwoLevelIndex);
        // Partitioned: index and filter in blocks of about 4 KB, each cached on its own, and only a small top level
        // per file pinned. A whole filter is 10 bits per key of its file (over 1 MB for a full 64 MB file): larger
        // than a shard of the cache, so it was never kept, and every lookup read it from the file again (the
        // state engine fell to a quarter of its speed at a million keys; the profile was pread of filter blocks).
        Native.Instance.rocksdb_block_based_options_set_partition_filters(tables.Handle, Native.MarshalBool(true));
        Native.Instance.rocksdb_block_based_options_set_pin_top_level_index_and_filter(tables.Handle, Native.MarshalBool(true));

        return tables;
    }

    public void Dispose()
    {
        if (_writeBufferManager == IntPtr.Zero) return;
        Native.Instance.rocksdb_write_buffer_manager_destroy(_writeBufferManager);
        _writeBufferManager = IntPtr.Zero;
    }
}
