using System.Buffers.Binary;
using RaftOrleans.Groups;
using RaftOrleans.Kv;
using RaftOrleans.Raft;
using RaftOrleans.State;
using RaftOrleans.Storage;
using Xunit;

namespace RaftOrleans.Tests.Storage;

/// <summary>
/// The silo opens every node's storage before it starts (silo/Program.cs prints the message of a storage problem as
/// one line and exits 1): data of another engine, of an older version, or a state older than its log are refused
/// with a message naming the place and the fix; good data passes and stays open for the nodes.
/// </summary>
public class StoragePreflightTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private const string Group = "main";

    private string NodeDirectory(int id) => Path.Combine(_dir.Path, Group, $"node-{id}");

    /// <summary>One group of the given nodes, as a raft.toml without [groups] has.</summary>
    private static RaftGroups Groups(IReadOnlyCollection<int> nodes) => new([(Group, nodes.Count)], nodes.Count);

    private static IReadOnlyList<string> Check(IRaftStorageProvider storage, int[] nodes) => StoragePreflight.Check(storage, Groups(nodes), nodes);

    [Fact]
    public void Good_data_passes_and_passes_again_after_a_restart_with_what_was_written()
    {
        using (var first = new FileRaftStorageProvider(_dir.Path, fsync: false, clusterId: "test"))
        {
            Check(first, [1, 2]);
            var kv = new KvStateMachine(first.StateFor(Group, 1));
            kv.Open();
            kv.Apply([new LogEntry(1, 1, KvCommandCodec.Encode(new KvRequest(Guid.NewGuid(), 1, KvOperation.Put, "k", "v")))]);
            first.For(Group, 1).Persist(new HardState(1, 1), [new LogEntry(1, 1, [1])]);
            first.For(Group, 1).SaveSnapshot(new StoredSnapshot(1, 1), discardLog: false);
        }

        using var again = new FileRaftStorageProvider(_dir.Path, fsync: false, clusterId: "test");
        Check(again, [1, 2]);
        var reopened = new KvStateMachine(again.StateFor(Group, 1));
        Assert.Equal(1, reopened.Open().Index);
        Assert.Equal(KvResult.Found("v"), reopened.Read("k"));
    }

    [Fact]
    public void A_state_directory_of_another_engine_is_refused_naming_it()
    {
        var state = Path.Combine(NodeDirectory(2), "state");
        Directory.CreateDirectory(state);
        File.WriteAllText(Path.Combine(state, "ENGINE"), "lmdb 1\n");
        using var storage = new FileRaftStorageProvider(_dir.Path, fsync: false, clusterId: "test");

        var error = Assert.Throws<StateEngineException>(() => Check(storage, [1, 2]));

        Assert.True(StoragePreflight.IsStorageProblem(error));
        Assert.Contains(state, error.Message);
        Assert.Contains("another engine or version", error.Message);
    }

    [Fact]
    public void A_snapshot_holding_the_state_itself_is_from_an_older_version_and_refused()
    {
        Directory.CreateDirectory(NodeDirectory(1));
        var data = "old map"u8.ToArray();
        var bytes = new byte[20 + data.Length];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, 5);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(8), 1);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(16), System.IO.Hashing.Crc32.HashToUInt32(data));
        data.CopyTo(bytes, 20);
        File.WriteAllBytes(Path.Combine(NodeDirectory(1), "snapshot.bin"), bytes);
        using var storage = new FileRaftStorageProvider(_dir.Path, fsync: false, clusterId: "test");

        var error = Assert.Throws<StorageCorruptedException>(() => Check(storage, [1]));

        Assert.Contains("snapshot.bin", error.Message);
        Assert.Contains("state engine", error.Message);
    }

    [Fact]
    public void A_state_older_than_where_the_log_starts_is_refused()
    {
        using (var storage = new FileRaftStorageProvider(_dir.Path, fsync: false, clusterId: "test"))
        {
            var log = storage.For(Group, 1);
            log.Load();
            log.Persist(new HardState(2, 1), Enumerable.Range(1, 10).Select(i => new LogEntry(i, 2, [1])).ToArray());
            log.SaveSnapshot(new StoredSnapshot(8, 2), discardLog: false);
            storage.StateFor(Group, 1); // an empty state: it has applied nothing
        }
        Directory.Delete(Path.Combine(NodeDirectory(1), "state"), recursive: true); // the state lost

        using var reopened = new FileRaftStorageProvider(_dir.Path, fsync: false, clusterId: "test");
        var error = Assert.Throws<InvalidDataException>(() => Check(reopened, [1]));

        Assert.Contains("node 1", error.Message);
        Assert.Contains("(8,t2)", error.Message);
        Assert.Contains("Wipe", error.Message);
    }
}
