using System.Text;
using RaftOrleans.Raft;
using RaftOrleans.Storage;
using Xunit;

namespace RaftOrleans.Tests.Storage;

public sealed class FileRaftStorageTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static LogEntry Entry(long index, long term, string data = "") =>
        new(index, term, Encoding.UTF8.GetBytes(data.Length == 0 ? $"cmd-{index}" : data));

    private FileRaftStorage Open(long segmentBytes = FileRaftStorage.DefaultSegmentBytes)
    {
        var storage = new FileRaftStorage(_dir.Path, fsync: true, segmentBytes);
        storage.Load();
        return storage;
    }

    private PersistedState Reopen()
    {
        using var storage = new FileRaftStorage(_dir.Path);
        return storage.Load();
    }

    private static void AssertLog(PersistedState state, params (long Index, long Term)[] expected) =>
        Assert.Equal(expected, state.Log.Select(e => (e.Index, e.Term)).ToArray());

    [Fact]
    public void Hard_state_and_entries_survive_a_reopen_byte_for_byte()
    {
        using (var storage = Open())
        {
            storage.Persist(new HardState(3, 2), new[] { Entry(1, 1), Entry(2, 1, "ünïcödé") });
            storage.Persist(new HardState(4, null), new[] { Entry(3, 4) });
            storage.Persist(null, new[] { LogEntry.NoOp(4, 4) });
        }

        var state = Reopen();

        Assert.Equal(new HardState(4, null), state.HardState);
        AssertLog(state, (1, 1), (2, 1), (3, 4), (4, 4));
        Assert.Equal("ünïcödé", Encoding.UTF8.GetString(state.Log[1].Data));
        Assert.True(state.Log[3].IsNoOp);
        Assert.Null(state.Snapshot);
    }

    [Fact]
    public void Entries_written_at_an_existing_index_replace_the_suffix_from_there()
    {
        using (var storage = Open())
        {
            storage.Persist(null, Enumerable.Range(1, 5).Select(i => Entry(i, 1)).ToArray());
            storage.Persist(new HardState(2, 1), new[] { Entry(3, 2), Entry(4, 2) });
        }

        AssertLog(Reopen(), (1, 1), (2, 1), (3, 2), (4, 2));
    }

    [Fact]
    public void A_torn_last_record_is_cut_off_and_the_log_keeps_working()
    {
        string segment;
        using (var storage = Open())
        {
            storage.Persist(new HardState(1, 1), new[] { Entry(1, 1), Entry(2, 1) });
            segment = storage.SegmentFiles[^1];
        }
        // The segment is preallocated: its records end where only reserved zeros follow.
        var intact = Array.FindLastIndex(File.ReadAllBytes(segment), b => b != 0) + 1;
        // A crash in the middle of writing entry 3: only the first part of its record reached the disk.
        var record = RecordBytes(Entry(3, 1));
        using (var file = new FileStream(segment, FileMode.Open, FileAccess.Write))
        {
            file.Position = intact;
            file.Write(record, 0, record.Length / 2);
        }

        using (var storage = new FileRaftStorage(_dir.Path))
        {
            var state = storage.Load();
            AssertLog(state, (1, 1), (2, 1));
            Assert.Contains("torn", storage.LastRepair);
            Assert.Equal(intact, Array.FindLastIndex(File.ReadAllBytes(segment), b => b != 0) + 1); // the torn bytes are gone
            storage.Persist(null, new[] { Entry(3, 1) });
        }

        AssertLog(Reopen(), (1, 1), (2, 1), (3, 1));
    }

    [Fact]
    public void Reserved_space_after_the_records_is_no_damage_and_appends_continue_where_the_records_end()
    {
        string segment;
        using (var storage = Open())
        {
            storage.Persist(new HardState(1, 1), new[] { Entry(1, 1), Entry(2, 1) });
            segment = storage.SegmentFiles[^1];
        }
        Assert.Equal(FileRaftStorage.DefaultSegmentBytes, new FileInfo(segment).Length); // preallocated

        using (var storage = new FileRaftStorage(_dir.Path))
        {
            AssertLog(storage.Load(), (1, 1), (2, 1));
            Assert.Null(storage.LastRepair);
            storage.Persist(null, new[] { Entry(3, 1) });
        }
        using (var storage = new FileRaftStorage(_dir.Path))
        {
            AssertLog(storage.Load(), (1, 1), (2, 1), (3, 1));
            Assert.Null(storage.LastRepair);
        }
    }

    [Fact]
    public void A_damaged_record_in_the_middle_stops_recovery_naming_the_file_and_offset()
    {
        string segment;
        using (var storage = Open())
        {
            storage.Persist(new HardState(1, 1), new[] { Entry(1, 1, "first-entry"), Entry(2, 1), Entry(3, 1) });
            segment = storage.SegmentFiles[^1];
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
        using (var storage = Open(segmentBytes: 512))
        {
            storage.Persist(new HardState(2, 1), new[] { Entry(1, 1) });
            for (var i = 2; i <= 100; i++) storage.Persist(null, new[] { Entry(i, 2) });
            var before = storage.SegmentFiles.Count;
            Assert.True(before > 5, $"small segments should have rotated, got {before}");

            storage.SaveSnapshot(new StoredSnapshot(60, 2), discardLog: false);

            Assert.True(storage.SegmentFiles.Count < before, "covered segments must be deleted");
            Assert.All(storage.SegmentFiles, path => Assert.True(File.Exists(path)));
            Assert.Equal(storage.SegmentFiles.Count, Directory.GetFiles(_dir.Path, "wal-*.log").Length);
            storage.Persist(null, new[] { Entry(101, 2) });
        }

        var state = Reopen();
        Assert.Equal(new HardState(2, 1), state.HardState); // lived in a deleted segment; new segments repeat it
        Assert.Equal(60, state.Snapshot!.Index);
        Assert.Equal(2, state.Snapshot.Term);
        Assert.Equal(Enumerable.Range(61, 41).Select(i => (long)i), state.Log.Select(e => e.Index));
    }

    [Fact]
    public void A_snapshot_that_disagrees_with_the_log_discards_the_whole_log()
    {
        using (var storage = Open())
        {
            storage.Persist(new HardState(3, 3), Enumerable.Range(1, 10).Select(i => Entry(i, 1)).ToArray());
            storage.SaveSnapshot(new StoredSnapshot(20, 3), discardLog: true);
            storage.Persist(null, new[] { Entry(21, 3) });
        }

        var state = Reopen();
        Assert.Equal(20, state.Snapshot!.Index);
        AssertLog(state, (21, 3));
    }

    [Fact]
    public void A_damaged_snapshot_is_reported_not_ignored()
    {
        using (var storage = Open())
        {
            storage.SaveSnapshot(new StoredSnapshot(5, 1), discardLog: false);
        }
        var path = Path.Combine(_dir.Path, "snapshot.bin");
        var bytes = File.ReadAllBytes(path);
        bytes[^1] ^= 0x01;
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<StorageCorruptedException>(() => Reopen());
        Assert.Contains("snapshot.bin", error.Message);
    }

    [Fact]
    public void A_second_storage_on_the_same_directory_is_refused_while_the_first_is_open()
    {
        using var first = Open();

        using var second = new FileRaftStorage(_dir.Path);
        var error = Assert.Throws<IOException>(() => second.Load());
        Assert.Contains("in use by another process", error.Message);

        first.Dispose();
        second.Load(); // free again once the first one is closed
    }

    private static byte[] RecordBytes(LogEntry entry)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        WalFormat.WriteEntry(buffer, entry);
        return buffer.WrittenSpan.ToArray();
    }

    private static int IndexOf(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle);
}
