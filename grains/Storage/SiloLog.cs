using System.Buffers;
using Microsoft.Win32.SafeHandles;
using RaftOrleans.Raft;

namespace RaftOrleans.Storage;

/// <summary>
/// The write-ahead log of every replica a silo hosts, in one directory: append-only segments (`wal-*.log`) of
/// hard-state, entry and snapshot-marker records, each tagged with its replica (<see cref="WalFormat"/>), with
/// checksums. <see cref="Persist"/> writes the writes of all the replicas it is given in one write and (with fsync
/// on) one fsync, whatever their number: that is how the groups of a silo share a disk (Dragonboat and TiKV's
/// raft-engine do the same). Each replica's snapshot file stays in its own directory (<see cref="SnapshotFile"/>).
/// <para>
/// A new segment starts with every replica's current hard state and snapshot marker, so older segments hold
/// nothing but entries; every opening starts a new segment, so no segment is ever written to without its header
/// (a crash while one was being started leaves one without it, which then only ever gets older). The oldest segments go once every replica's entries in them are covered by its snapshot;
/// they go oldest first, one durable unlink at a time, so a crash can never bring back an older segment without
/// the newer ones (a newer one may hold the marker that discards the older one's entries). A replica that writes
/// little keeps the segments with its entries until it compacts: <see cref="Pinning"/> tells it to.
/// Segments are preallocated (zeros) and flushed with fdatasync, as etcd does: a write into reserved space changes
/// no metadata, so a flush costs about half.
/// </para>
/// </summary>
public sealed class SiloLog : IDurableLog, IDisposable
{
    public const long DefaultSegmentBytes = 16 * 1024 * 1024;

    /// <summary>Segments beyond this many ask the replicas whose entries keep the oldest one to compact.</summary>
    private const int SegmentsBeforeAsking = 2;

    private readonly string _directory;
    private readonly bool _fsync;
    private readonly long _segmentBytes;
    private readonly Func<ReplicaId, string> _replicaDirectory;
    private readonly ArrayBufferWriter<byte> _buffer = new(64 * 1024);
    private readonly object _gate = new();
    private Dictionary<ReplicaId, ReplicaHead> _heads = new();
    private Dictionary<ReplicaId, ReplicaReplay> _opened = new(); // as read at opening, until the replica writes
    private List<WalSegment> _segments = new();
    private volatile HashSet<ReplicaId> _pinning = new(); // replaced, never changed: read without the lock
    private SafeFileHandle? _writer;
    private long _writeOffset; // where the next record goes in the newest segment
    private FileStream? _lock;
    private long _writes;

    /// <param name="replicaDirectory">Each replica's own directory, where its snapshot file is.</param>
    public SiloLog(string directory, bool fsync, Func<ReplicaId, string> replicaDirectory, long segmentBytes = DefaultSegmentBytes)
    {
        _directory = directory;
        _fsync = fsync;
        _replicaDirectory = replicaDirectory;
        _segmentBytes = segmentBytes;
    }

    public string Directory => _directory;

    /// <summary>What recovery had to repair on the last <see cref="Open"/> (a torn last record), or null.</summary>
    public string? LastRepair { get; private set; }

    /// <summary>How many writes of records this log has made (each one fsync, with fsync on).</summary>
    public long Writes => Interlocked.Read(ref _writes);

    /// <summary>Segment files currently on disk, oldest first.</summary>
    public IReadOnlyList<string> SegmentFiles
    {
        get { lock (_gate) return _segments.Select(s => s.Path).ToArray(); }
    }

    /// <summary>
    /// Whether <paramref name="replica"/>'s entries keep old segments on disk: it should compact its log at what it has
    /// applied (a replica that writes little would otherwise keep every segment written after its entries).
    /// </summary>
    public bool Pinning(ReplicaId replica) => _pinning.Contains(replica); // no lock: a grain's turn must not wait for a flush

    /// <summary>Reads every segment (cutting off a torn last record) and starts a new one to write to.</summary>
    public void Open()
    {
        lock (_gate)
        {
            CloseWriter();
            System.IO.Directory.CreateDirectory(_directory);
            _lock ??= TakeLock();
            var replay = WalReplay.Open(_directory, _replicaDirectory);
            LastRepair = replay.RepairedTornTail;
            _segments = replay.Segments;
            _heads = replay.Heads;
            _opened = new Dictionary<ReplicaId, ReplicaReplay>(replay.Replicas);
            // Always a new segment, with every replica's head first: the newest one read may lack its header (a crash
            // while it was started), and once older segments go, a replica's term and vote must be in a header.
            StartSegment(_segments.Count == 0 ? 1 : _segments[^1].Sequence + 1);
        }
    }

    /// <summary>
    /// What <paramref name="replica"/> (re)starts from: its hard state, its snapshot and the entries after it. Throws
    /// what is wrong with this replica's records or snapshot file (the other replicas are not concerned).
    /// </summary>
    public PersistedState Load(ReplicaId replica)
    {
        lock (_gate)
        {
            _ = Writer; // opened
            // Read once for all at opening; after a replica's own writes (it restarted in a running silo), its records again.
            var replay = _opened.TryGetValue(replica, out var opened)
                ? opened
                : WalReplay.Rescan(_segments, replica, _replicaDirectory(replica));
            PersistedState state;
            try
            {
                state = replay.Finish();
            }
            catch (Exception error) when (error is not StorageCorruptedException)
            {
                _opened.Remove(replica); // an I/O error may pass: read again at the next load
                throw;
            }
            if (replay.DiscardedForSnapshot && state.Snapshot is { } snapshot)
            {
                // Its snapshot file disagrees with its log (a crash came between the file and its marker), so the log
                // was dropped here: the marker that says so is written now, or entries written after this start would
                // be dropped with the stale ones at the next.
                _buffer.Clear();
                WalFormat.WriteSnapshotMarker(_buffer, snapshot.Index, snapshot.Term, discardLog: true, replica);
                try
                {
                    Append();
                }
                catch (Exception)
                {
                    // Whether the marker is on disk is unknown: no write goes on until the log is opened again (the
                    // storage thread's next write fails, and the replicas' restarts recover the log).
                    CloseWriter();
                    throw;
                }
                Compacted(replica, snapshot, discardLog: true);
                RollOrTidy();
            }
            return state;
        }
    }

    public void Persist(IReadOnlyList<ReplicaWrite> writes)
    {
        lock (_gate)
        {
            _buffer.Clear();
            foreach (var write in writes)
            {
                if (write.HardState is { } hardState) WalFormat.WriteHardState(_buffer, hardState, write.Replica);
                foreach (var entry in write.Entries) WalFormat.WriteEntry(_buffer, entry, write.Replica);
            }
            if (_buffer.WrittenCount == 0) return;
            Append();
            foreach (var write in writes)
            {
                _opened.Remove(write.Replica);
                if (write.HardState is { } hardState) _heads[write.Replica] = Head(write.Replica) with { HardState = hardState };
                // Entries that replace a suffix do not lower what older segments note: a newer segment may still hold the
                // replaced entries, and replaying them needs the older ones (so a replaced tail keeps its segments until
                // the replica's snapshot passes it).
                if (write.Entries.Count > 0) _segments[^1].NoteEntry(write.Replica, write.Entries[^1].Index);
            }
            // Only a full segment changes what can go (snapshots do the rest): nothing more on the write path.
            if (_writeOffset >= _segmentBytes) StartSegment(_segments[^1].Sequence + 1);
        }
    }

    public void SaveSnapshot(ReplicaId replica, StoredSnapshot snapshot, bool discardLog)
    {
        lock (_gate)
        {
            // Order matters: the snapshot is durable before the log says it may be relied on.
            SnapshotFile.Write(_replicaDirectory(replica), snapshot, _fsync);
            _buffer.Clear();
            WalFormat.WriteSnapshotMarker(_buffer, snapshot.Index, snapshot.Term, discardLog, replica);
            Append();
            Compacted(replica, snapshot, discardLog);
            RollOrTidy();
        }
    }

    /// <summary>
    /// Writes a replica's whole log as it stands, in one durable write: its hard state, a marker that discards any
    /// record of it before (so writing it again after a crash changes nothing), then its entries. Used to move a log
    /// kept elsewhere (a node's own log of earlier versions) into this one.
    /// </summary>
    public void Adopt(ReplicaId replica, PersistedState state)
    {
        lock (_gate)
        {
            _buffer.Clear();
            WalFormat.WriteHardState(_buffer, state.HardState, replica);
            WalFormat.WriteSnapshotMarker(_buffer, state.Snapshot?.Index ?? 0, state.Snapshot?.Term ?? 0, discardLog: true, replica);
            foreach (var entry in state.Log) WalFormat.WriteEntry(_buffer, entry, replica);
            Append();
            _heads[replica] = Head(replica) with { HardState = state.HardState };
            Compacted(replica, state.Snapshot ?? new StoredSnapshot(0, 0), discardLog: true); // read from the log again at its load
            if (state.Log.Count > 0) _segments[^1].NoteEntry(replica, state.Log[^1].Index);
            RollOrTidy();
        }
    }

    /// <summary>Whether the log holds any record of <paramref name="replica"/>.</summary>
    public bool Holds(ReplicaId replica)
    {
        lock (_gate) return _heads.ContainsKey(replica);
    }

    /// <summary>After a failed write: the records are read again from disk, as at opening.</summary>
    public string? Recover()
    {
        Open();
        return LastRepair;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            CloseWriter();
            _lock?.Dispose();
            _lock = null;
        }
    }

    private ReplicaHead Head(ReplicaId replica) => _heads.GetValueOrDefault(replica, ReplicaHead.Initial);

    private SafeFileHandle Writer => _writer ?? throw new InvalidOperationException("the log must be opened before it is read or written");

    /// <summary>
    /// The bookkeeping of a snapshot marker just written: the replica's head, and with <paramref name="discardLog"/> none
    /// of its entries written before counts any more. Its state as read at opening no longer holds.
    /// </summary>
    private void Compacted(ReplicaId replica, StoredSnapshot snapshot, bool discardLog)
    {
        _heads[replica] = Head(replica) with { SnapshotIndex = snapshot.Index, SnapshotTerm = snapshot.Term };
        if (discardLog)
        {
            foreach (var segment in _segments) segment.ForgetEntries(replica);
        }
        _opened.Remove(replica);
    }

    /// <summary>After a write that may let segments go: a new segment when this one is full (which tidies), else the tidying alone.</summary>
    private void RollOrTidy()
    {
        if (_writeOffset >= _segmentBytes) StartSegment(_segments[^1].Sequence + 1);
        else DeleteCovered();
    }

    /// <summary>Deletes the oldest segments whose entries every replica's snapshot covers (never the newest).</summary>
    private void DeleteCovered()
    {
        while (_segments.Count > 1 && _segments[0].CoveredBy(replica => Head(replica).SnapshotIndex))
        {
            File.Delete(_segments[0].Path);
            _segments.RemoveAt(0);
            // One at a time: the unlink of an older segment is durable before a newer one goes.
            if (_fsync) Durable.SyncDirectory(_directory);
        }
        UpdatePinning();
    }

    /// <summary>Past <see cref="SegmentsBeforeAsking"/> segments, the replicas whose entries keep the oldest one.</summary>
    private void UpdatePinning()
    {
        _pinning = _segments.Count > SegmentsBeforeAsking
            ? _segments[0].Uncovered(replica => Head(replica).SnapshotIndex).ToHashSet()
            : new HashSet<ReplicaId>();
    }

    /// <summary>
    /// Two processes appending to one log would interleave their records and destroy it. An exclusive lock
    /// on a LOCK file (advisory on Unix, enforced on Windows) keeps a second silo off this directory.
    /// </summary>
    private FileStream TakeLock()
    {
        var path = Path.Combine(_directory, "LOCK");
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException error)
        {
            throw new IOException($"{_directory} is in use by another process (is another silo running on the same data_dir?)", error);
        }
    }

    /// <summary>Writes the buffer at the end of the newest segment's records, then (with fsync on) makes it durable.</summary>
    private void Append()
    {
        var writer = Writer;
        RandomAccess.Write(writer, _buffer.WrittenSpan, _writeOffset);
        _writeOffset += _buffer.WrittenCount;
        _segments[^1].DataLength = _writeOffset;
        if (_fsync) Durable.DataSync(writer);
        Interlocked.Increment(ref _writes);
    }

    /// <summary>A new newest segment, which starts with every replica's hard state and snapshot marker.</summary>
    private void StartSegment(long sequence)
    {
        CloseWriter();
        var segment = new WalSegment(Path.Combine(_directory, WalSegment.FileName(sequence)), sequence);
        var writer = File.OpenHandle(segment.Path, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
        _writer = writer;
        _writeOffset = 0;
        Durable.Preallocate(writer, _segmentBytes);
        _segments.Add(segment);
        _buffer.Clear();
        foreach (var (replica, head) in _heads)
        {
            WalFormat.WriteHardState(_buffer, head.HardState, replica);
            if (head.SnapshotIndex > 0) WalFormat.WriteSnapshotMarker(_buffer, head.SnapshotIndex, head.SnapshotTerm, discardLog: false, replica);
        }
        if (_buffer.WrittenCount > 0) Append();
        else if (_fsync) Durable.DataSync(writer);
        if (_fsync) Durable.SyncDirectory(_directory);
        DeleteCovered();
    }

    private void CloseWriter()
    {
        _writer?.Dispose();
        _writer = null;
    }
}
