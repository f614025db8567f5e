using System.Buffers;
using Microsoft.Win32.SafeHandles;
using RaftOrleans.Raft;

namespace RaftOrleans.Storage;

/// <summary>
/// A node's durable Raft state in one directory: append-only write-ahead log segments (`wal-*.log`) holding
/// hard-state, entry and snapshot-marker records with checksums, plus `snapshot.bin`. Every
/// <see cref="Persist"/> call is one write and (with fsync on) one fsync, whatever the number of entries:
/// that is the batching. A new segment starts with the current hard state and snapshot marker, so the
/// segments a snapshot covers can be deleted whole. Segments are preallocated (zeros) and flushed with
/// fdatasync, as etcd does: a write into reserved space changes no metadata, so a flush costs about half.
/// </summary>
public sealed class FileRaftStorage : IRaftStorage
{
    public const long DefaultSegmentBytes = 16 * 1024 * 1024;

    private readonly string _directory;
    private readonly bool _fsync;
    private readonly long _segmentBytes;
    private readonly ArrayBufferWriter<byte> _buffer = new(64 * 1024);
    private readonly object _gate = new();
    private List<WalSegment> _segments = new();
    private SafeFileHandle? _writer;
    private long _writeOffset; // where the next record goes in the newest segment
    private FileStream? _lock;
    private HardState _hardState = HardState.Initial;
    private long _snapshotIndex;
    private long _snapshotTerm;

    public FileRaftStorage(string directory, bool fsync = true, long segmentBytes = DefaultSegmentBytes)
    {
        _directory = directory;
        _fsync = fsync;
        _segmentBytes = segmentBytes;
    }

    public string Directory => _directory;

    /// <summary>What recovery had to repair on the last <see cref="Load"/> (a torn last record), or null.</summary>
    public string? LastRepair { get; private set; }

    /// <summary>Segment files currently on disk, oldest first.</summary>
    public IReadOnlyList<string> SegmentFiles
    {
        get { lock (_gate) return _segments.Select(s => s.Path).ToArray(); }
    }

    public PersistedState Load()
    {
        lock (_gate)
        {
            CloseWriter();
            System.IO.Directory.CreateDirectory(_directory);
            _lock ??= TakeLock();
            var replay = WalReplay.Run(_directory);
            LastRepair = replay.RepairedTornTail;
            _segments = replay.Segments;
            _hardState = replay.HardState;
            _snapshotIndex = replay.Snapshot?.Index ?? 0;
            _snapshotTerm = replay.Snapshot?.Term ?? 0;
            if (_segments.Count == 0) StartSegment(1);
            else
            {
                _writer = File.OpenHandle(_segments[^1].Path, FileMode.Open, FileAccess.Write, FileShare.Read);
                _writeOffset = _segments[^1].DataLength;
                Durable.Preallocate(_writer, _segmentBytes); // a repaired tail was cut off: reserve the space again
            }
            return new PersistedState(replay.HardState, replay.Snapshot, replay.Entries.ToArray());
        }
    }

    public void Persist(HardState? hardState, IReadOnlyList<LogEntry> entries)
    {
        if (hardState is null && entries.Count == 0) return;
        lock (_gate)
        {
            var writer = _writer ?? throw new InvalidOperationException("Load must be called before Persist");
            _buffer.Clear();
            if (hardState is not null)
            {
                WalFormat.WriteHardState(_buffer, hardState);
                _hardState = hardState;
            }
            foreach (var entry in entries) WalFormat.WriteEntry(_buffer, entry);
            Append(writer);
            if (entries.Count > 0)
            {
                var current = _segments[^1];
                current.MaxEntryIndex = Math.Max(current.MaxEntryIndex, entries[^1].Index);
            }
            if (_writeOffset >= _segmentBytes) StartSegment(_segments[^1].Sequence + 1);
        }
    }

    public void SaveSnapshot(StoredSnapshot snapshot, bool discardLog)
    {
        lock (_gate)
        {
            var writer = _writer ?? throw new InvalidOperationException("Load must be called before SaveSnapshot");
            // Order matters: the snapshot is durable before the log says it may be relied on.
            SnapshotFile.Write(_directory, snapshot, _fsync);
            _buffer.Clear();
            WalFormat.WriteSnapshotMarker(_buffer, snapshot.Index, snapshot.Term, discardLog);
            Append(writer);
            _snapshotIndex = snapshot.Index;
            _snapshotTerm = snapshot.Term;

            // Later entries go to a fresh segment, so that everything before it is covered and can go. Its
            // header repeats a discard, so the discard holds even if a deleted segment comes back after a crash.
            StartSegment(_segments[^1].Sequence + 1, discardLog);
            var covered = discardLog
                ? _segments.Count - 1
                : _segments.TakeWhile(s => s != _segments[^1] && s.MaxEntryIndex <= snapshot.Index).Count();
            foreach (var segment in _segments.Take(covered)) File.Delete(segment.Path);
            _segments.RemoveRange(0, covered);
            if (_fsync && covered > 0) Durable.SyncDirectory(_directory);
        }
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
    private void Append(SafeFileHandle writer)
    {
        RandomAccess.Write(writer, _buffer.WrittenSpan, _writeOffset);
        _writeOffset += _buffer.WrittenCount;
        _segments[^1].DataLength = _writeOffset;
        if (_fsync) Durable.DataSync(writer);
    }

    private void StartSegment(long sequence, bool discardLog = false)
    {
        CloseWriter();
        var segment = new WalSegment(Path.Combine(_directory, WalSegment.FileName(sequence)), sequence);
        var writer = File.OpenHandle(segment.Path, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
        _writer = writer;
        _writeOffset = 0;
        Durable.Preallocate(writer, _segmentBytes);
        _segments.Add(segment);
        _buffer.Clear();
        WalFormat.WriteHardState(_buffer, _hardState);
        if (_snapshotIndex > 0) WalFormat.WriteSnapshotMarker(_buffer, _snapshotIndex, _snapshotTerm, discardLog);
        Append(writer);
        if (_fsync) Durable.SyncDirectory(_directory);
    }

    private void CloseWriter()
    {
        _writer?.Dispose();
        _writer = null;
    }
}
