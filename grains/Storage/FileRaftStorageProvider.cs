using System.Collections.Concurrent;
using RaftOrleans.State;

namespace RaftOrleans.Storage;

/// <summary>
/// One node's files in <c>dataDir/node-&lt;id&gt;</c>: its Raft log (<see cref="FileRaftStorage"/>) and, in
/// <c>state/</c>, its state machine's RocksDB engine (<see cref="RocksKvEngine"/>). Disposed with the silo.
/// </summary>
public sealed class FileRaftStorageProvider : IRaftStorageProvider, IDisposable
{
    private readonly string _dataDir;
    private readonly bool _fsync;
    private readonly string _clusterId;
    private readonly ConcurrentDictionary<int, FileRaftStorage> _nodes = new();
    private readonly ConcurrentDictionary<int, Lazy<RocksKvEngine>> _states = new();

    /// <param name="clusterId">cluster.id: recorded in each node's directory (<see cref="NodeDirectoryOwner"/>), which refuses another cluster's.</param>
    public FileRaftStorageProvider(string dataDir, bool fsync, string clusterId)
    {
        _dataDir = Path.GetFullPath(dataDir);
        _fsync = fsync;
        _clusterId = clusterId;
    }

    public IRaftStorage For(int nodeId) =>
        _nodes.GetOrAdd(nodeId, id =>
        {
            NodeDirectoryOwner.Claim(NodeDirectory(id), id, _clusterId);
            return new FileRaftStorage(NodeDirectory(id), _fsync);
        });

    public IKvEngine StateFor(int nodeId) =>
        _states.GetOrAdd(nodeId, id => new Lazy<RocksKvEngine>(() => RocksKvEngine.Open(Path.Combine(NodeDirectory(id), "state")))).Value;

    private string NodeDirectory(int nodeId) => Path.Combine(_dataDir, $"node-{nodeId}");

    public void Dispose()
    {
        foreach (var storage in _nodes.Values) storage.Dispose();
        foreach (var state in _states.Values.Where(s => s.IsValueCreated)) state.Value.Dispose();
    }
}
