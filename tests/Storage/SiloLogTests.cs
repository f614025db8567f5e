using System.Text;
using RaftOrleans.Raft;
using RaftOrleans.Storage;
using Xunit;

namespace RaftOrleans.Tests.Storage;

/// <summary>
/// The silo's one log for all its replicas: each replica reads back its own records only; the writes of several
/// replicas are one write; recovery cuts a torn tail and refuses damage; segments go only once every replica's
/// snapshot covers them; a node's log of an earlier version is moved in.
/// </summary>
public sealed class SiloLogTests : IDisposable
{
    private static readonly ReplicaId A = new("main", 1);
    private static readonly ReplicaId B = new("other", 2);

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string LogDirectory => Path.Combine(_dir.Path, "wal");

    private string ReplicaDirectory(ReplicaId replica)
    {
        var directory = Path.Combine(_dir.Path, replica.Group, $"node-{replica.Node}");
        Directory.CreateDirectory(directory);
        return directory;
    }

    private static LogEntry Entry(long index, long term, string data = "") =>
        new(index, term, Encoding.UTF8.GetBytes(data.Length == 0 ? $"cmd-{index}" : data));

    private SiloLog Open(long segmentBytes = SiloLog.DefaultSegmentBytes)
    {
        var log = new SiloLog(LogDirectory, fsync: true, ReplicaDirectory, segmentBytes);
        log.Open();
        return log;
    }

    private PersistedState Reopen(ReplicaId? replica = null)
    {
        using var log = Open();
        return log.Load(replica ?? A);
    }

    private static void Persist(SiloLog log, ReplicaId replica, HardState? hardState, params LogEntry[] entries) =>
        log.Persist(new[] { new ReplicaWrite(replica, hardState, entries) });

    private static void AssertLog(PersistedState state, params (long Index, long Term)[] expected) =>
        Assert.Equal(expected, state.Log.Select(e => (e.Index, e.Term)).ToArray());

    [Fact]
    public void Hard_state_and_entries_survive_a_reopen_byte_for_byte()
    {
        using (var log = Open())
        {
            Persist(log, A, new HardState(3, 2), Entry(1, 1), Entry(2, 1, "ünïcödé"));
            Persist(log, A, new HardState(4, null), Entry(3, 4));
            Persist(log, A, null, LogEntry.NoOp(4, 4));
        }

        var state = Reopen();

        Assert.Equal(new HardState(4, null), state.HardState);
        AssertLog(state, (1, 1), (2, 1), (3, 4), (4, 4));
        Assert.Equal("ünïcödé", Encoding.UTF8.GetString(state.Log[1].Data));
        Assert.True(state.Log[3].IsNoOp);
        Assert.Null(state.Snapshot);
    }

    [Fact]
    public void The_writes_of_several_replicas_go_in_one_write_and_each_reads_back_only_its_own()
    {
        using (var log = Open())
        {
            log.Persist(new[]
            {
                new ReplicaWrite(A, new HardState(2, 1), new[] { Entry(1, 1), Entry(2, 2) }),
                new ReplicaWrite(B, new HardState(7, 2), new[] { Entry(1, 7, "b-one") }),
            });
            Assert.Equal(1, log.Writes); // both replicas' records, one write (a new log's first segment has no header to write)
            Persist(log, B, null, Entry(2, 7));

            // While the log is in use: a replica that wrote reads its own records again.
            AssertLog(log.Load(B), (1, 7), (2, 7));
        }

        var a = Reopen(A);
        var b = Reopen(B);
        Assert.Equal(new HardState(2, 1), a.HardState);
        AssertLog(a, (1, 1), (2, 2));
        Assert.Equal(new HardState(7, 2), b.HardState);
        AssertLog(b, (1, 7), (2, 7));
        Assert.Equal("b-one", Encoding.UTF8.GetString(b.Log[0].Data));
        Assert.Empty(Reopen(new ReplicaId("main", 3)).Log);
    }

    [Fact]
    public void Entries_written_at_an_existing_index_replace_the_suffix_from_there()
    {
        using (var log = Open())
        {
            Persist(log, A, null, Enumerable.Range(1, 5).Select(i => Entry(i, 1)).ToArray());
            Persist(log, A, new HardState(2, 1), Entry(3, 2), Entry(4, 2));
        }

        AssertLog(Reopen(), (1, 1), (2, 1), (3, 2), (4, 2));
    }

    [Fact]
    public void A_torn_last_record_is_cut_off_and_the_log_keeps_working()
    {
        string segment;
        using (var log = Open())
        {
            Persist(log, A, new HardState(1, 1), Entry(1, 1), Entry(2, 1));
            segment = log.SegmentFiles[^1];
        }
        // The segment is preallocated: its records end where only reserved zeros follow.
        var intact = Array.FindLastIndex(File.ReadAllBytes(segment), b => b != 0) + 1;
        // A crash in the middle of writing entry 3: only the first part of its record reached the disk.
        var record = RecordBytes(Entry(3, 1), A);
        using (var file = new FileStream(segment, FileMode.Open, FileAccess.Write))
        {
            file.Position = intact;
            file.Write(record, 0, record.Length / 2);
        }

        using (var log = Open())
        {
            AssertLog(log.Load(A), (1, 1), (2, 1));
            Assert.Contains("torn", log.LastRepair);
            Assert.Equal(intact, Array.FindLastIndex(File.ReadAllBytes(segment), b => b != 0) + 1); // the torn bytes are gone
            Persist(log, A, null, Entry(3, 1));
        }

        AssertLog(Reopen(), (1, 1), (2, 1), (3, 1));
    }

    [Fact]
    public void Reserved_space_after_the_records_is_no_damage_and_appends_continue_where_the_records_end()
    {
        string segment;
        using (var log = Open())
        {
            Persist(log, A, new HardState(1, 1), Entry(1, 1), Entry(2, 1));
            segment = log.SegmentFiles[^1];
        }
        Assert.Equal(SiloLog.DefaultSegmentBytes, new FileInfo(segment).Length); // preallocated

        using (var log = Open())
        {
            AssertLog(log.Load(A), (1, 1), (2, 1));
            Assert.Null(log.LastRepair);
            Persist(log, A, null, Entry(3, 1));
        }
        using (var log = Open())
        {
            AssertLog(log.Load(A), (1, 1), (2, 1), (3, 1));
            Assert.Null(log.LastRepair);
        }
    }

    [Fact]
    public void A_damaged_record_in_the_middle_stops_recovery_naming_the_file_and_offset()
    {
        string segment;
        using (var log = Open())
        {
            Persist(log, A, new HardState(1, 1), Entry(1, 1, "first-entry"), Entry(2, 1), Entry(3, 1));
            segment = log.SegmentFiles[^1];
        }
        var bytes = File.ReadAllBytes(segment);
        var at = IndexOf(bytes, Encoding.UTF8.GetBytes("first-entry"));
        bytes[at] ^= 0xFF; // one flipped bit pattern inside entry 1's data
        File.WriteAllBytes(segment, bytes);

        var error = Assert.Throws<StorageCorruptedException>(() => Reopen());

        Assert.Equal(segment, error.File);
        Assert.Contains(Path.GetFileName(segment), error.Message);
        Assert.Contains("checksum", error.Message);
        Assert.True(error.Offset > 0 && error.Offset < at, $"offset {error.Offset} should be where entry 1's record starts (before {at})");
    }

    [Fact]
    public void A_snapshot_deletes_the_segments_it_covers_and_recovery_starts_from_it()
    {
        using (var log = Open(segmentBytes: 512))
        {
            Persist(log, A, new HardState(2, 1), Entry(1, 1));
            for (var i = 2; i <= 100; i++) Persist(log, A, null, Entry(i, 2));
            var before = log.SegmentFiles.Count;
            Assert.True(before > 5, $"small segments should have rotated, got {before}");

            log.SaveSnapshot(A, new StoredSnapshot(60, 2), discardLog: false);

            Assert.True(log.SegmentFiles.Count < before, "covered segments must be deleted");
            Assert.All(log.SegmentFiles, path => Assert.True(File.Exists(path)));
            Assert.Equal(log.SegmentFiles.Count, Directory.GetFiles(LogDirectory, "wal-*.log").Length);
            Persist(log, A, null, Entry(101, 2));
        }

        var state = Reopen();
        Assert.Equal(new HardState(2, 1), state.HardState); // lived in a deleted segment; new segments repeat it
        Assert.Equal(60, state.Snapshot!.Index);
        Assert.Equal(2, state.Snapshot.Term);
        Assert.Equal(Enumerable.Range(61, 41).Select(i => (long)i), state.Log.Select(e => e.Index));
    }

    [Fact]
    public void A_replica_that_writes_little_keeps_old_segments_until_it_compacts_and_is_asked_to()
    {
        using (var log = Open(segmentBytes: 512))
        {
            Persist(log, B, new HardState(1, 1), Entry(1, 1)); // B writes once, in the first segment
            for (var i = 1; i <= 100; i++) Persist(log, A, new HardState(1, 1), Entry(i, 1));
            log.SaveSnapshot(A, new StoredSnapshot(100, 1), discardLog: false);

            // A's snapshot covers all of A, but B's entry keeps the first segment, and with it every later one.
            Assert.Equal("wal-0000000001.log", Path.GetFileName(log.SegmentFiles[0]));
            Assert.True(log.SegmentFiles.Count > 5);
            Assert.True(log.Pinning(B));
            Assert.False(log.Pinning(A));

            log.SaveSnapshot(B, new StoredSnapshot(1, 1), discardLog: false);

            Assert.Single(log.SegmentFiles);
            Assert.False(log.Pinning(B));
        }

        var a = Reopen(A);
        Assert.Equal(100, a.Snapshot!.Index);
        Assert.Empty(a.Log);
        var b = Reopen(B);
        Assert.Equal((1L, 1L), (b.Snapshot!.Index, b.Snapshot.Term));
        Assert.Equal(new HardState(1, 1), b.HardState);
    }

    [Fact]
    public void A_snapshot_that_disagrees_with_the_log_discards_the_whole_log()
    {
        using (var log = Open())
        {
            Persist(log, A, new HardState(3, 3), Enumerable.Range(1, 10).Select(i => Entry(i, 1)).ToArray());
            log.SaveSnapshot(A, new StoredSnapshot(20, 3), discardLog: true);
            Persist(log, A, null, Entry(21, 3));
        }

        var state = Reopen();
        Assert.Equal(20, state.Snapshot!.Index);
        AssertLog(state, (21, 3));
    }

    [Fact]
    public void A_damaged_snapshot_is_reported_not_ignored()
    {
        using (var log = Open())
        {
            log.SaveSnapshot(A, new StoredSnapshot(5, 1), discardLog: false);
        }
        var path = Path.Combine(ReplicaDirectory(A), "snapshot.bin");
        var bytes = File.ReadAllBytes(path);
        bytes[^1] ^= 0x01;
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<StorageCorruptedException>(() => Reopen());
        Assert.Contains("snapshot.bin", error.Message);
    }

    [Fact]
    public void A_second_log_on_the_same_directory_is_refused_while_the_first_is_open()
    {
        var first = Open();

        using var second = new SiloLog(LogDirectory, fsync: true, ReplicaDirectory);
        var error = Assert.Throws<IOException>(() => second.Open());
        Assert.Contains("in use by another process", error.Message);

        first.Dispose();
        second.Open(); // free again once the first one is closed
    }

    [Fact]
    public void A_nodes_own_log_of_an_earlier_version_is_moved_into_the_silos_log()
    {
        // What versions before the shared log wrote: wal-*.log in the node's directory, records without tags.
        var nodeDirectory = ReplicaDirectory(A);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        WalFormat.WriteHardState(buffer, new HardState(5, 1));
        foreach (var i in Enumerable.Range(1, 8)) WalFormat.WriteEntry(buffer, Entry(i, i < 5 ? 2 : 5));
        WalFormat.WriteSnapshotMarker(buffer, 3, 2, discardLog: false);
        File.WriteAllBytes(Path.Combine(nodeDirectory, "wal-0000000001.log"), buffer.WrittenSpan.ToArray());
        SnapshotFile.Write(nodeDirectory, new StoredSnapshot(3, 2), fsync: false);

        PersistedState moved;
        using (var provider = new FileRaftStorageProvider(_dir.Path, fsync: true, clusterId: "test"))
        {
            moved = provider.For(A.Group, A.Node).Load();
        }

        Assert.Equal(new HardState(5, 1), moved.HardState);
        Assert.Equal(3, moved.Snapshot!.Index);
        AssertLog(moved, (4, 2), (5, 5), (6, 5), (7, 5), (8, 5));
        Assert.Empty(Directory.GetFiles(nodeDirectory, "wal-*.log"));
        // What a crash in the middle of deleting the old files leaves (one of several, entries with a gap before them):
        // with LOG written, it is never read again, only deleted.
        var leftover = new System.Buffers.ArrayBufferWriter<byte>();
        WalFormat.WriteEntry(leftover, Entry(40, 5));
        File.WriteAllBytes(Path.Combine(nodeDirectory, "wal-0000000003.log"), leftover.WrittenSpan.ToArray());
        using (var provider = new FileRaftStorageProvider(_dir.Path, fsync: true, clusterId: "test"))
        {
            var again = provider.For(A.Group, A.Node).Load();
            Assert.Equal(moved.HardState, again.HardState);
            AssertLog(again, (4, 2), (5, 5), (6, 5), (7, 5), (8, 5));
        }
        Assert.Empty(Directory.GetFiles(nodeDirectory, "wal-*.log"));
    }

    [Fact]
    public void A_replica_whose_records_are_in_another_silos_log_is_refused()
    {
        using (var embedded = new FileRaftStorageProvider(_dir.Path, fsync: false, clusterId: "test"))
        {
            embedded.For(A.Group, A.Node).Persist(new HardState(1, 1), new[] { Entry(1, 1) });
        }

        using var clusterNode = new FileRaftStorageProvider(_dir.Path, fsync: false, clusterId: "test", logName: "wal-node-1");
        var error = Assert.Throws<InvalidDataException>(() => clusterNode.For(A.Group, A.Node));
        Assert.Contains("data_dir/wal,", error.Message);
        Assert.Contains("data_dir/wal-node-1", error.Message);
    }

    [Fact]
    public void A_wiped_replica_directory_rejoins_empty_and_the_others_keep_their_logs()
    {
        using (var provider = new FileRaftStorageProvider(_dir.Path, fsync: false, clusterId: "test"))
        {
            var a = provider.For(A.Group, A.Node);
            a.Persist(new HardState(4, 1), Enumerable.Range(1, 5).Select(i => Entry(i, 4)).ToArray());
            a.SaveSnapshot(new StoredSnapshot(3, 4), discardLog: false); // its marker is in every later segment's header
            provider.For(B.Group, B.Node).Persist(new HardState(2, 2), new[] { Entry(1, 2) });
        }
        Directory.Delete(ReplicaDirectory(A), recursive: true); // what the README tells an operator to do with a damaged replica

        for (var start = 0; start < 2; start++)
        {
            using var provider = new FileRaftStorageProvider(_dir.Path, fsync: false, clusterId: "test");
            var wiped = provider.For(A.Group, A.Node).Load();
            Assert.Equal(HardState.Initial, wiped.HardState);
            Assert.Empty(wiped.Log);
            Assert.Null(wiped.Snapshot);
            var other = provider.For(B.Group, B.Node).Load();
            Assert.Equal(new HardState(2, 2), other.HardState);
            AssertLog(other, (1, 2));
        }
    }

    [Fact]
    public void A_replica_directory_that_lost_only_its_LOG_file_is_refused_not_started_empty()
    {
        using (var provider = new FileRaftStorageProvider(_dir.Path, fsync: false, clusterId: "test"))
        {
            var a = provider.For(A.Group, A.Node);
            a.Persist(new HardState(4, 1), new[] { Entry(1, 4), Entry(2, 4) });
            a.SaveSnapshot(new StoredSnapshot(1, 4), discardLog: false);
        }
        File.Delete(Path.Combine(ReplicaDirectory(A), ReplicaLogPlace.FileName));

        using var reopened = new FileRaftStorageProvider(_dir.Path, fsync: false, clusterId: "test");
        var error = Assert.Throws<InvalidDataException>(() => reopened.For(A.Group, A.Node));
        Assert.Contains("has lost its LOG file", error.Message);
        Assert.Contains("wipe the directory", error.Message);
    }

    [Fact]
    public void A_segment_left_without_its_header_by_a_crash_does_not_cost_an_idle_replica_its_term_and_vote()
    {
        using (var log = Open(segmentBytes: 512))
        {
            Persist(log, B, new HardState(9, 2)); // idle from now on: its term and vote live in segment headers only
            Persist(log, A, new HardState(1, 1), Entry(1, 1));
        }
        // A crash right after the next segment's file was created, before its header was written: a preallocated file of zeros.
        var newest = Directory.GetFiles(LogDirectory, "wal-*.log").Max()!;
        WalSegment.TryParse(newest, out var sequence);
        File.WriteAllBytes(Path.Combine(LogDirectory, WalSegment.FileName(sequence + 1)), new byte[512]);

        using (var log = Open(segmentBytes: 512))
        {
            for (var i = 2; i <= 4; i++) Persist(log, A, null, Entry(i, 1));
            log.SaveSnapshot(A, new StoredSnapshot(4, 1), discardLog: false); // every segment but the newest is covered now
            Assert.Single(log.SegmentFiles);
        }

        Assert.Equal(new HardState(9, 2), Reopen(B).HardState);
    }

    [Fact]
    public void A_snapshot_file_whose_marker_a_crash_lost_drops_the_disagreeing_log_once_and_for_all()
    {
        using (var log = Open())
        {
            Persist(log, A, new HardState(2, 1), Enumerable.Range(1, 10).Select(i => Entry(i, 1)).ToArray());
        }
        // An installed snapshot (index 8 of term 2) whose file was made durable, its marker not: the log disagrees at 8.
        SnapshotFile.Write(ReplicaDirectory(A), new StoredSnapshot(8, 2), fsync: false);

        using (var log = Open())
        {
            var state = log.Load(A);
            Assert.Equal(8, state.Snapshot!.Index);
            Assert.Empty(state.Log);
            Persist(log, A, new HardState(2, 1), Entry(9, 2), Entry(10, 2)); // acknowledged from here on
        }

        AssertLog(Reopen(), (9, 2), (10, 2));
    }

    [Fact]
    public void A_replaced_tail_keeps_its_segments_until_the_snapshot_passes_it_and_replays_right()
    {
        using (var log = Open(segmentBytes: 512))
        {
            for (var i = 1; i <= 40; i++) Persist(log, A, new HardState(1, 1), Entry(i, 1)); // a deposed leader's tail, over many segments
            Persist(log, A, new HardState(2, 1), Entry(5, 2)); // the new leader's entry 5 replaces 5..40

            log.SaveSnapshot(A, new StoredSnapshot(5, 2), discardLog: false);

            // The replaced entries 6..40 are still read before entry 5 replaces them, so their segments stay.
            Assert.True(log.SegmentFiles.Count > 2);
            Assert.Empty(log.Load(A).Log);
            Persist(log, A, null, Entry(6, 2));
        }

        AssertLog(Reopen(), (6, 2));
    }

    private static byte[] RecordBytes(LogEntry entry, ReplicaId replica)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        WalFormat.WriteEntry(buffer, entry, replica);
        return buffer.WrittenSpan.ToArray();
    }

    private static int IndexOf(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle);
}
