using RaftOrleans.Groups;
using System.Collections.Concurrent;
using Orleans.TestingHost;
using RaftOrleans.Silo;
using RaftOrleans.State;
using RaftOrleans.Storage;

namespace RaftOrleans.Tests.Integration;

/// <summary>
/// In-memory storage whose state engine a test can make "full" per node: every write to it then fails as a full
/// disk fails it (IOException), until the test frees it. State is static because TestCluster builds the silo from
/// this type; the integration tests run one at a time (one collection).
/// </summary>
public sealed class FullDiskSiloConfigurator : ISiloConfigurator
{
    private static readonly ConcurrentDictionary<int, bool> Full = new();

    public static void Fill(int nodeId) => Full[nodeId] = true;

    public static void FreeAll() => Full.Clear();

    public void Configure(ISiloBuilder siloBuilder) =>
        siloBuilder.AddRaftKeyValueStore(TestSiloConfigurator.Options, new Provider(new InMemoryRaftStorageProvider()));

    private sealed class Provider(IRaftStorageProvider inner) : IRaftStorageProvider
    {
        public void ClaimGroups(RaftGroups groups) => inner.ClaimGroups(groups);

        public IRaftStorage For(string group, int nodeId) => inner.For(group, nodeId);

        public DurableWriter WriterFor(string group, int nodeId) => inner.WriterFor(group, nodeId);

        public IKvEngine StateFor(string group, int nodeId) => new FillableEngine(inner.StateFor(group, nodeId), nodeId);
    }

    private sealed class FillableEngine(IKvEngine inner, int nodeId) : IKvEngine
    {
        public byte[]? Get(ReadOnlySpan<byte> key) => inner.Get(key);

        public void Write(IReadOnlyList<KvChange> changes)
        {
            if (Full.ContainsKey(nodeId)) throw new IOException($"node {nodeId}'s state engine: No space left on device");
            inner.Write(changes);
        }

        public void Sync() => inner.Sync();
        public IKvEngineView View() => inner.View();

        public IReadOnlyList<KeyValuePair<byte[], byte[]>> ScanPrefix(byte prefix) => inner.ScanPrefix(prefix);
        public KvEngineStaging BeginReplace() => inner.BeginReplace();
        public void Dispose() => inner.Dispose();
    }
}
