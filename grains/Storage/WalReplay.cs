using System.Buffers.Binary;
using RaftOrleans.Raft;

namespace RaftOrleans.Storage;

/// <summary>
/// Reads a log's segments oldest first and hands each record to its replica's <see cref="ReplicaReplay"/>: the
/// tag of a shared log's record names it, a node's own log of earlier versions has one replica. Notes, per segment,
/// the highest entry index of each replica (what decides when the segment may go). On opening, a torn tail of the
/// newest segment is cut off; any other damage throws.
/// </summary>
internal sealed class WalReplay
{
    private readonly Func<ReplicaId, string> _replicaDirectory;
    private readonly ReplicaId? _untagged;
    private readonly ReplicaId? _only;
    private readonly Dictionary<ReplicaId, ReplicaReplay> _replicas = new();

    private WalReplay(Func<ReplicaId, string> replicaDirectory, ReplicaId? untagged, ReplicaId? only)
    {
        _replicaDirectory = replicaDirectory;
        _untagged = untagged;
        _only = only;
    }

    public List<WalSegment> Segments { get; } = new();

    /// <summary>Set when a torn last record was cut off (what a crash mid-write leaves).</summary>
    public string? RepairedTornTail { get; private set; }

    /// <summary>The last hard state and snapshot marker read of each replica (what a new segment's header repeats).</summary>
    public Dictionary<ReplicaId, ReplicaHead> Heads { get; } = new();

    /// <summary>Every replica found, with its records as read (<see cref="ReplicaReplay.Finish"/> gives its state, or its problem).</summary>
    public IReadOnlyDictionary<ReplicaId, ReplicaReplay> Replicas => _replicas;

    /// <summary>
    /// Opens a log: reads every segment in <paramref name="directory"/>, repairing a torn tail of the newest.
    /// <paramref name="untagged"/>: the one replica of a node's own log (records without tags).
    /// </summary>
    public static WalReplay Open(string directory, Func<ReplicaId, string> replicaDirectory, ReplicaId? untagged = null)
    {
        var replay = new WalReplay(replicaDirectory, untagged, only: null);
        var files = Directory.GetFiles(directory, "wal-*.log")
            .Select(path => WalSegment.TryParse(path, out var sequence) ? new WalSegment(path, sequence) : null)
            .OfType<WalSegment>()
            .OrderBy(segment => segment.Sequence)
            .ToList();
        for (var i = 0; i < files.Count; i++) replay.ReadSegment(files[i], isNewest: i == files.Count - 1, repair: true);
        return replay;
    }

    /// <summary>Reads one replica's records of a log in use, up to where each segment's records end now; repairs nothing.</summary>
    public static ReplicaReplay Rescan(IEnumerable<WalSegment> segments, ReplicaId replica, string replicaDirectory)
    {
        var replay = new WalReplay(_ => replicaDirectory, untagged: null, only: replica);
        foreach (var segment in segments)
        {
            replay.ReadSegment(new WalSegment(segment.Path, segment.Sequence) { DataLength = segment.DataLength }, isNewest: false, repair: false);
        }
        return replay._replicas.TryGetValue(replica, out var found) ? found : new ReplicaReplay(replicaDirectory);
    }

    private void ReadSegment(WalSegment segment, bool isNewest, bool repair)
    {
        var reader = new WalSegmentReader(segment.Path, repair ? null : segment.DataLength);
        while (reader.TryRead(out var type, out var payload))
        {
            var tagLength = 0;
            var replica = _untagged ?? WalFormat.ReadReplica(payload.Span, out tagLength);
            if (_only is { } only && replica != only) continue;
            var span = payload.Span[tagLength..];
            var into = Replica(replica);
            var head = Heads.GetValueOrDefault(replica, ReplicaHead.Initial);
            switch (type)
            {
                case WalRecordType.HardState:
                    var vote = BinaryPrimitives.ReadInt32LittleEndian(span[8..]);
                    var state = new HardState(BinaryPrimitives.ReadInt64LittleEndian(span), vote < 0 ? null : vote);
                    into.SetHardState(state);
                    Heads[replica] = head with { HardState = state };
                    break;
                case WalRecordType.Entry or WalRecordType.ConfigEntry:
                    var entry = new LogEntry(
                        BinaryPrimitives.ReadInt64LittleEndian(span),
                        BinaryPrimitives.ReadInt64LittleEndian(span[8..]),
                        span[16..].ToArray(),
                        type == WalRecordType.ConfigEntry ? LogEntryKind.Config : LogEntryKind.Command);
                    into.AddEntry(entry, segment.Path, reader.GoodLength);
                    segment.NoteEntry(replica, entry.Index);
                    break;
                case WalRecordType.SnapshotMarker:
                    var index = BinaryPrimitives.ReadInt64LittleEndian(span);
                    var term = BinaryPrimitives.ReadInt64LittleEndian(span[8..]);
                    var discard = span[16] == 1;
                    into.Compact(index, term, discard);
                    if (discard)
                    {
                        foreach (var older in Segments) older.ForgetEntries(replica);
                        segment.ForgetEntries(replica);
                    }
                    if (index > head.SnapshotIndex || discard) Heads[replica] = head with { SnapshotIndex = index, SnapshotTerm = term };
                    break;
            }
        }
        if (reader.TornTail && repair)
        {
            if (!isNewest)
            {
                throw new StorageCorruptedException(segment.Path, reader.GoodLength,
                    "an older segment ends in an incomplete record");
            }
            using (var file = new FileStream(segment.Path, FileMode.Open, FileAccess.Write))
            {
                // Cutting the file drops the torn bytes; the storage reserves zeros after it again when it opens it.
                file.SetLength(reader.GoodLength);
                file.Flush(flushToDisk: true);
            }
            RepairedTornTail = $"{segment.Path}: cut a torn last record at byte {reader.GoodLength}";
        }
        segment.DataLength = reader.GoodLength;
        Segments.Add(segment);
    }

    private ReplicaReplay Replica(ReplicaId replica)
    {
        if (!_replicas.TryGetValue(replica, out var replay)) _replicas[replica] = replay = new ReplicaReplay(_replicaDirectory(replica));
        return replay;
    }
}
