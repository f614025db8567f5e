using System.Text;
using RaftOrleans.State;
using RaftOrleans.Tests.Storage;
using Xunit;

namespace RaftOrleans.Tests.State;

/// <summary>
/// The RocksDB engine on a real directory: reads and atomic writes, views that stay frozen (through a replace too),
/// replace by a staged database, and what Open does with the directory it is given (creates, cleans, refuses).
/// </summary>
public sealed class RocksKvEngineTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public RocksKvEngineTests() => StatePath = Path.Combine(_temp.Path, "node-1", "state"); // not there yet

    public void Dispose() => _temp.Dispose();

    private string StatePath { get; }

    private static byte[] B(string text) => Encoding.UTF8.GetBytes(text);

    private static string S(byte[]? bytes) => bytes is null ? "<none>" : Encoding.UTF8.GetString(bytes);

    private static KvChange Put(string key, string value) => new(B(key), B(value));

    private static KvChange Delete(string key) => new(B(key), null);

    private static string[] Contents(IEnumerable<KeyValuePair<byte[], byte[]>> pairs) =>
        pairs.Select(pair => $"{S(pair.Key)}={S(pair.Value)}").ToArray();

    private static string[] Contents(IKvEngineView view) => Contents(view.Scan());

    private static string[] Contents(IKvEngine engine)
    {
        using var view = engine.View();
        return Contents(view);
    }

    /// <summary>The names of the state directory's entries, sorted.</summary>
    private string[] Entries() =>
        Directory.EnumerateFileSystemEntries(StatePath).Select(entry => Path.GetFileName(entry)!).Order(StringComparer.Ordinal).ToArray();

    private string LiveDatabasePath() => Path.Combine(StatePath, File.ReadAllText(Path.Combine(StatePath, "CURRENT-DB")).Trim());

    private static void Replace(IKvEngine engine, params (string Key, string Value)[] pairs)
    {
        using var staging = engine.BeginReplace();
        foreach (var (key, value) in pairs) staging.Put(B(key), B(value));
        staging.Commit();
    }

    [Fact]
    public void Open_creates_the_directory_its_marker_pointer_and_database()
    {
        using var engine = RocksKvEngine.Open(StatePath);

        Assert.Equal(new[] { "CURRENT-DB", "ENGINE", "db-000001" }, Entries());
        Assert.Equal("raftorleans-state rocksdb 1", File.ReadAllText(Path.Combine(StatePath, "ENGINE")).Trim());
        Assert.Equal("db-000001", File.ReadAllText(Path.Combine(StatePath, "CURRENT-DB")).Trim());
        Assert.Empty(Contents(engine));
    }

    [Fact]
    public void Put_get_and_delete()
    {
        using var engine = RocksKvEngine.Open(StatePath);

        engine.Write(new[] { Put("a", "1") });
        Assert.Equal("1", S(engine.Get(B("a"))));
        Assert.Null(engine.Get(B("b")));

        engine.Write(new[] { Put("a", "2") });
        Assert.Equal("2", S(engine.Get(B("a"))));

        engine.Write(new[] { Delete("a") });
        Assert.Null(engine.Get(B("a")));
        engine.Write(new[] { Delete("never-there") }); // deleting an absent key is no error
        engine.Write(Array.Empty<KvChange>());
        Assert.Empty(Contents(engine));
    }

    [Fact]
    public void One_write_applies_its_puts_and_deletes_together_in_order()
    {
        using var engine = RocksKvEngine.Open(StatePath);
        engine.Write(new[] { Put("keep", "old"), Put("gone", "x"), Put("changed", "old") });

        engine.Write(new[] { Put("new", "1"), Delete("gone"), Put("changed", "first"), Put("changed", "last"), Put("late", "y"), Delete("late") });

        Assert.Equal(new[] { "changed=last", "keep=old", "new=1" }, Contents(engine));
    }

    [Fact]
    public void Contents_survive_closing_and_reopening()
    {
        using (var engine = RocksKvEngine.Open(StatePath))
        {
            engine.Write(new[] { Put("a", "1"), Put("b", "2") });
            engine.Sync();
            engine.Write(new[] { Delete("a"), Put("c", "3") }); // not synced: a closed engine keeps it all the same
        }

        using var reopened = RocksKvEngine.Open(StatePath);

        Assert.Equal(new[] { "b=2", "c=3" }, Contents(reopened));
        Assert.Equal(new[] { "CURRENT-DB", "ENGINE", "db-000001" }, Entries());
    }

    [Fact]
    public void A_view_does_not_see_later_writes()
    {
        using var engine = RocksKvEngine.Open(StatePath);
        engine.Write(new[] { Put("a", "1"), Put("b", "2") });

        using var view = engine.View();
        engine.Write(new[] { Put("a", "changed"), Delete("b"), Put("c", "3") });

        Assert.Equal(new[] { "a=1", "b=2" }, Contents(view));
        Assert.Equal(new[] { "a=changed", "c=3" }, Contents(engine));
    }

    [Fact]
    public void A_view_taken_before_a_replace_still_scans_the_old_contents_and_the_old_database_goes_after_it()
    {
        using var engine = RocksKvEngine.Open(StatePath);
        engine.Write(new[] { Put("a", "old"), Put("b", "old") });
        var view = engine.View();

        Replace(engine, ("c", "new"));

        Assert.Equal(new[] { "a=old", "b=old" }, Contents(view));
        Assert.Equal(new[] { "c=new" }, Contents(engine));
        Assert.Equal(new[] { "CURRENT-DB", "ENGINE", "db-000001", "db-000002" }, Entries()); // the old one is still read

        view.Dispose();

        Assert.Equal(new[] { "CURRENT-DB", "ENGINE", "db-000002" }, Entries());
        Assert.Equal(new[] { "c=new" }, Contents(engine));
    }

    [Fact]
    public void A_scan_under_way_keeps_its_view_alive_after_the_view_and_the_engine_are_disposed()
    {
        var engine = RocksKvEngine.Open(StatePath);
        engine.Write(new[] { Put("a", "1"), Put("b", "2"), Put("c", "3") });
        var view = engine.View();
        var notStarted = view.Scan();
        using var scan = view.Scan().GetEnumerator();
        Assert.True(scan.MoveNext());

        view.Dispose();
        engine.Dispose();

        Assert.Equal("a", S(scan.Current.Key));
        Assert.True(scan.MoveNext());
        Assert.Equal("b=2", $"{S(scan.Current.Key)}={S(scan.Current.Value)}");
        Assert.True(scan.MoveNext());
        Assert.False(scan.MoveNext());
        Assert.Throws<ObjectDisposedException>(() => notStarted.GetEnumerator());
        Assert.Throws<ObjectDisposedException>(() => view.Scan());
        Assert.Throws<ObjectDisposedException>(() => engine.Get(B("a")));
    }

    [Fact]
    public void Two_scans_of_one_view_can_be_under_way_at_once()
    {
        using var engine = RocksKvEngine.Open(StatePath);
        engine.Write(Enumerable.Range(0, 100).Select(i => Put($"k{i:D3}", $"v{i}")).ToArray());
        using var view = engine.View();

        using var first = view.Scan().GetEnumerator();
        using var second = view.Scan().GetEnumerator();
        var fromFirst = new List<string>();
        var fromSecond = new List<string>();
        // Interleaved, the second one behind: each keeps its own position.
        for (var step = 0; step < 100; step++)
        {
            Assert.True(first.MoveNext());
            fromFirst.Add(S(first.Current.Key));
            if (step % 2 == 1)
            {
                Assert.True(second.MoveNext());
                fromSecond.Add(S(second.Current.Key));
            }
        }
        while (second.MoveNext()) fromSecond.Add(S(second.Current.Key));

        Assert.False(first.MoveNext());
        var expected = Enumerable.Range(0, 100).Select(i => $"k{i:D3}").ToList();
        Assert.Equal(expected, fromFirst);
        Assert.Equal(expected, fromSecond);
    }

    [Fact]
    public void A_scan_returns_the_pairs_in_unsigned_byte_order()
    {
        using var engine = RocksKvEngine.Open(StatePath);
        var keys = new[]
        {
            new byte[] { 0xFF }, new byte[] { 0x80, 0x00 }, B("b"), B("ab"), B("a"), new byte[] { 0x00 }, B("a\0"),
            new byte[] { 0x7F },
        };
        engine.Write(keys.Select(key => new KvChange(key, new byte[] { 1 })).ToArray());

        using var view = engine.View();
        var scanned = view.Scan().Select(pair => Convert.ToHexString(pair.Key)).ToArray();

        var expected = new[] { "00", "61", "6100", "6162", "62", "7F", "8000", "FF" };
        Assert.Equal(expected, scanned);
        Assert.Equal(expected, view.Scan().Select(pair => Convert.ToHexString(pair.Key)).ToArray()); // and again
    }

    [Fact]
    public void A_replace_shows_nothing_before_its_commit_then_replaces_everything_and_survives_a_reopen()
    {
        using (var engine = RocksKvEngine.Open(StatePath))
        {
            engine.Write(new[] { Put("old-1", "x"), Put("old-2", "x"), Put("k00005", "old") });
            engine.StagingTableFileBytes = 16 * 1024; // the 10,000 pairs below fill several table files

            using (var staging = engine.BeginReplace())
            {
                foreach (var i in Enumerable.Range(0, 10_000)) staging.Put(B($"k{i:D5}"), B(i == 7 ? "seventh" : $"v{i}"));

                Assert.Null(engine.Get(B("k00001")));
                Assert.Equal("old", S(engine.Get(B("k00005"))));
                Assert.Equal(3, Contents(engine).Length);

                staging.Commit();
            }

            Assert.Null(engine.Get(B("old-1")));
            Assert.Equal("v5", S(engine.Get(B("k00005"))));
            Assert.Equal("seventh", S(engine.Get(B("k00007"))));
            // Written as table files and ingested, not through a memtable: all of it on the last level, nothing
            // left for a compaction to rewrite.
            var database = LiveDatabasePath();
            Assert.True(Directory.EnumerateFiles(database, "*.sst").Count() > 1);
            Assert.Empty(Directory.EnumerateFiles(database, "incoming-*"));
            Assert.Equal("0", engine.Property("rocksdb.num-files-at-level0"));
            Assert.Equal("0", engine.Property("rocksdb.num-immutable-mem-table"));
            Assert.Equal("0", engine.Property("rocksdb.num-entries-active-mem-table"));
            var contents = Contents(engine);
            Assert.Equal(10_000, contents.Length);
            Assert.Equal("k00000=v0", contents[0]);
            Assert.Equal("k09999=v9999", contents[^1]);

            engine.Write(new[] { Put("after", "1") }); // writes go to the new database
        }

        Assert.Equal(new[] { "CURRENT-DB", "ENGINE", "db-000002" }, Entries());
        using var reopened = RocksKvEngine.Open(StatePath);
        Assert.Equal("v9999", S(reopened.Get(B("k09999"))));
        Assert.Equal("seventh", S(reopened.Get(B("k00007"))));
        Assert.Equal("1", S(reopened.Get(B("after"))));
        Assert.Null(reopened.Get(B("old-2")));
        Assert.Equal(10_001, Contents(reopened).Length);
    }

    [Fact]
    public void A_staging_refuses_a_key_that_is_not_above_the_previous_one()
    {
        using var engine = RocksKvEngine.Open(StatePath);
        using (var staging = engine.BeginReplace())
        {
            staging.Put(B("b"), B("1"));
            Assert.Throws<ArgumentException>(() => staging.Put(B("a"), B("2")));
            Assert.Throws<ArgumentException>(() => staging.Put(B("b"), B("3")));
            staging.Put(B("c"), B("4"));
            staging.Commit();
        }

        Assert.Equal(new[] { "b=1", "c=4" }, Contents(engine));
    }

    [Fact]
    public void A_staging_disposed_without_commit_leaves_the_old_contents_and_no_staging_directory()
    {
        using var engine = RocksKvEngine.Open(StatePath);
        engine.Write(new[] { Put("a", "1") });

        using (var staging = engine.BeginReplace())
        {
            staging.Put(B("b"), B("2"));
            Assert.Contains(Entries(), name => name.StartsWith("staging-", StringComparison.Ordinal));
        }

        Assert.Equal(new[] { "CURRENT-DB", "ENGINE", "db-000001" }, Entries());
        Assert.Equal(new[] { "a=1" }, Contents(engine));
        engine.Write(new[] { Put("c", "3") });
        Assert.Equal(new[] { "a=1", "c=3" }, Contents(engine));
    }

    [Fact]
    public void A_staging_refuses_puts_and_a_second_commit_once_committed()
    {
        using var engine = RocksKvEngine.Open(StatePath);
        using var staging = engine.BeginReplace();
        staging.Put(B("a"), B("1"));
        staging.Commit();

        Assert.Throws<InvalidOperationException>(() => staging.Put(B("b"), B("2")));
        Assert.Throws<InvalidOperationException>(() => staging.Commit());
        Assert.Equal(new[] { "a=1" }, Contents(engine));
    }

    [Fact]
    public void Leftovers_of_an_interrupted_replace_are_deleted_at_open_and_the_contents_are_intact()
    {
        using (var engine = RocksKvEngine.Open(StatePath))
        {
            engine.Write(new[] { Put("a", "1") });
        }
        // A crash while staging, one after the rename but before the pointer switch, one while writing the pointer.
        Directory.CreateDirectory(Path.Combine(StatePath, "staging-000007"));
        File.WriteAllText(Path.Combine(StatePath, "staging-000007", "000012.sst"), "partial");
        Directory.CreateDirectory(Path.Combine(StatePath, "db-000008"));
        File.WriteAllText(Path.Combine(StatePath, "db-000008", "CURRENT"), "MANIFEST-000005\n");
        File.WriteAllText(Path.Combine(StatePath, "CURRENT-DB.tmp"), "db-000008");

        using var reopened = RocksKvEngine.Open(StatePath);

        Assert.Equal(new[] { "CURRENT-DB", "ENGINE", "db-000001" }, Entries());
        Assert.Equal(new[] { "a=1" }, Contents(reopened));
        // New names stay above the leftovers', which might have lingered had their deletion failed.
        using (var staging = reopened.BeginReplace()) staging.Commit();
        Assert.Equal(new[] { "CURRENT-DB", "ENGINE", "db-000009" }, Entries());
    }

    [Fact]
    public void A_first_start_cut_short_before_the_pointer_was_written_starts_over()
    {
        using (RocksKvEngine.Open(StatePath))
        {
        }
        File.Delete(Path.Combine(StatePath, "CURRENT-DB")); // as if the crash came just before it was written

        using var engine = RocksKvEngine.Open(StatePath);

        Assert.Equal(new[] { "CURRENT-DB", "ENGINE", "db-000002" }, Entries());
        Assert.Empty(Contents(engine));
    }

    [Fact]
    public void Open_refuses_a_missing_pointer_when_a_database_holds_data()
    {
        using (var engine = RocksKvEngine.Open(StatePath))
        {
            engine.Write(new[] { Put("a", "1") });
        }
        File.Delete(Path.Combine(StatePath, "CURRENT-DB"));

        var error = Assert.Throws<StateEngineException>(() => RocksKvEngine.Open(StatePath));

        Assert.Contains(StatePath, error.Message);
        Assert.Contains("db-000001 holds data", error.Message);
        Assert.True(Directory.Exists(Path.Combine(StatePath, "db-000001"))); // nothing deleted
    }

    [Theory]
    [InlineData("db-000009")] // a database that is not there
    [InlineData("../elsewhere")]
    [InlineData("")]
    public void Open_refuses_a_pointer_that_does_not_name_a_database_present(string pointer)
    {
        using (RocksKvEngine.Open(StatePath))
        {
        }
        File.WriteAllText(Path.Combine(StatePath, "CURRENT-DB"), pointer + "\n");

        var error = Assert.Throws<StateEngineException>(() => RocksKvEngine.Open(StatePath));

        Assert.Equal(Path.Combine(StatePath, "CURRENT-DB"), error.Path);
        Assert.Contains(error.Path, error.Message);
        Assert.True(Directory.Exists(Path.Combine(StatePath, "db-000001")));
    }

    [Theory]
    [InlineData("raftorleans-state lmdb 1")]
    [InlineData("raftorleans-state rocksdb 2")]
    [InlineData("")]
    public void Open_refuses_a_directory_written_by_another_engine_or_version(string marker)
    {
        Directory.CreateDirectory(StatePath);
        File.WriteAllText(Path.Combine(StatePath, "ENGINE"), marker + "\n");
        File.WriteAllText(Path.Combine(StatePath, "data.mdb"), "theirs");

        var error = Assert.Throws<StateEngineException>(() => RocksKvEngine.Open(StatePath));

        Assert.Equal(StatePath, error.Path);
        Assert.Contains(StatePath, error.Message);
        Assert.Contains("another engine or version", error.Message);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Equal(new[] { "ENGINE", "data.mdb" }, Entries()); // left as it was
    }

    [Fact]
    public void Open_refuses_a_directory_with_files_but_no_marker()
    {
        Directory.CreateDirectory(Path.Combine(StatePath, "db-000001"));
        File.WriteAllText(Path.Combine(StatePath, "db-000001", "CURRENT"), "MANIFEST-000005\n");

        var error = Assert.Throws<StateEngineException>(() => RocksKvEngine.Open(StatePath));

        Assert.Equal(StatePath, error.Path);
        Assert.Contains(StatePath, error.Message);
        Assert.Contains("no ENGINE marker", error.Message);
        Assert.Equal(new[] { "db-000001" }, Entries()); // nothing deleted, nothing added
    }

    [Fact]
    public void Open_refuses_a_directory_another_engine_has_open_and_deletes_nothing_of_it()
    {
        using var first = RocksKvEngine.Open(StatePath);
        first.Write(new[] { Put("a", "1") });
        using var staging = first.BeginReplace();
        staging.Put(B("b"), B("2"));
        var before = Entries();

        var error = Assert.Throws<IOException>(() => RocksKvEngine.Open(StatePath));

        Assert.IsNotType<StateEngineException>(error); // not damage: "wipe it" would be the wrong advice
        Assert.Contains(StatePath, error.Message);
        Assert.Contains("in use", error.Message);
        Assert.Equal(before, Entries()); // the first engine's staging directory is still there
        staging.Commit();
        Assert.Equal(new[] { "b=2" }, Contents(first));
    }

    [Fact]
    public void A_view_still_open_keeps_the_directory_in_use_after_its_engine_is_disposed()
    {
        var engine = RocksKvEngine.Open(StatePath);
        engine.Write(new[] { Put("a", "1") });
        var view = engine.View();
        engine.Dispose();

        Assert.Throws<IOException>(() => RocksKvEngine.Open(StatePath));
        view.Dispose();

        using var reopened = RocksKvEngine.Open(StatePath);
        Assert.Equal(new[] { "a=1" }, Contents(reopened));
    }

    [Theory]
    [InlineData("CURRENT")]
    [InlineData("MANIFEST-*")]
    public void A_damaged_database_is_reported_as_a_StateEngineException(string damagedFile)
    {
        using (var engine = RocksKvEngine.Open(StatePath))
        {
            engine.Write(Enumerable.Range(0, 1000).Select(i => Put($"k{i}", "v")).ToArray());
        }
        var database = LiveDatabasePath();
        var file = Directory.GetFiles(database, damagedFile).Single();
        var garbage = new byte[Math.Max(64, new FileInfo(file).Length)];
        new Random(7).NextBytes(garbage);
        File.WriteAllBytes(file, garbage);

        var error = Assert.Throws<StateEngineException>(() => RocksKvEngine.Open(StatePath));

        Assert.Equal(database, error.Path);
        Assert.Contains(database, error.Message);
        Assert.Contains("RocksDB cannot open the database", error.Message);
        Assert.IsType<RocksDbSharp.RocksDbException>(error.InnerException);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void A_disposed_engine_refuses_every_call()
    {
        var engine = RocksKvEngine.Open(StatePath);
        engine.Dispose();
        engine.Dispose(); // twice is fine

        Assert.Throws<ObjectDisposedException>(() => engine.Get(B("a")));
        Assert.Throws<ObjectDisposedException>(() => engine.Write(new[] { Put("a", "1") }));
        Assert.Throws<ObjectDisposedException>(() => engine.Sync());
        Assert.Throws<ObjectDisposedException>(() => engine.View());
        Assert.Throws<ObjectDisposedException>(() => engine.BeginReplace());
    }

    [Fact]
    public void A_staging_whose_engine_was_disposed_cannot_commit_and_leaves_no_directory()
    {
        var engine = RocksKvEngine.Open(StatePath);
        engine.Write(new[] { Put("a", "1") });
        var staging = engine.BeginReplace();
        staging.Put(B("b"), B("2"));
        engine.Dispose();

        Assert.Throws<ObjectDisposedException>(() => staging.Commit());
        staging.Dispose();

        Assert.Equal(new[] { "CURRENT-DB", "ENGINE", "db-000001" }, Entries());
        using var reopened = RocksKvEngine.Open(StatePath);
        Assert.Equal(new[] { "a=1" }, Contents(reopened));
    }
}
