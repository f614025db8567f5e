using RaftOrleans.Groups;
using System.Collections.Concurrent;
using Orleans.TestingHost;
using RaftOrleans.Raft;
using RaftOrleans.Silo;
using RaftOrleans.State;
using RaftOrleans.Storage;

namespace RaftOrleans.Tests.Integration;

/// <summary>
/// In-memory storage whose writes a test can hold back per node, as a slow disk would: the node's storage
/// thread blocks in Persist while its gate is shut, so the node goes on taking messages and its batches queue
/// up behind the held write. Snapshots every 2 entries and no catch-up tail, so a snapshot follows almost
/// every apply. State is static because TestCluster builds the silo from this type; the integration tests run
/// one at a time (one collection).
/// </summary>
public sealed class GatedStorageSiloConfigurator : ISiloConfigurator
{
    private static readonly ConcurrentDictionary<int, ManualResetEventSlim> Gates = new();

    public static readonly RaftClusterOptions Options =
        TestSiloConfigurator.Options with { SnapshotThreshold = 2, SnapshotCatchUpEntries = 0 };

    public static void Shut(int nodeId) => Gate(nodeId).Reset();

    public static void OpenAll()
    {
        foreach (var gate in Gates.Values) gate.Set();
    }

    private static ManualResetEventSlim Gate(int nodeId) => Gates.GetOrAdd(nodeId, _ => new ManualResetEventSlim(true));

    public void Configure(ISiloBuilder siloBuilder) =>
        siloBuilder.AddRaftKeyValueStore(Options, new GatedProvider(new InMemoryRaftStorageProvider()));

    private sealed class GatedProvider(IRaftStorageProvider inner) : IRaftStorageProvider
    {
        private readonly ReplicaWriters _writers = new(); // a writer per node: a held node holds back no other

        public void ClaimGroups(RaftGroups groups) => inner.ClaimGroups(groups);

        public IRaftStorage For(string group, int nodeId) => new GatedStorage(inner.For(group, nodeId), Gate(nodeId));

        public DurableWriter WriterFor(string group, int nodeId) => _writers.For(new ReplicaId(group, nodeId), () => For(group, nodeId));

        public IKvEngine StateFor(string group, int nodeId) => inner.StateFor(group, nodeId);
    }

    private sealed class GatedStorage(IRaftStorage inner, ManualResetEventSlim gate) : IRaftStorage
    {
        public PersistedState Load() => inner.Load();

        public void Persist(HardState? hardState, IReadOnlyList<LogEntry> entries)
        {
            // Bounded, so a failing test cannot hang the run: past a minute the write goes through.
            gate.Wait(TimeSpan.FromMinutes(1));
            inner.Persist(hardState, entries);
        }

        public void SaveSnapshot(StoredSnapshot snapshot, bool discardLog) => inner.SaveSnapshot(snapshot, discardLog);

        public void Dispose() => inner.Dispose();
    }
}
