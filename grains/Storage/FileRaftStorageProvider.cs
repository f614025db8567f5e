using System.Collections.Concurrent;
using RaftOrleans.Groups;
using RaftOrleans.State;

namespace RaftOrleans.Storage;

/// <summary>
/// The files of each replica in <c>dataDir/&lt;group&gt;/node-&lt;id&gt;</c>: its Raft log (<see cref="FileRaftStorage"/>) and, in
/// <c>state/</c>, its state machine's RocksDB engine (<see cref="RocksKvEngine"/>). Disposed with the silo.
/// </summary>
public sealed class FileRaftStorageProvider : IRaftStorageProvider, IDisposable
{
    private readonly string _dataDir;
    private readonly bool _fsync;
    private readonly string _clusterId;
    private readonly ConcurrentDictionary<(string Group, int Node), FileRaftStorage> _nodes = new();
    private readonly ConcurrentDictionary<(string Group, int Node), Lazy<RocksKvEngine>> _states = new();

    /// <param name="clusterId">cluster.id: recorded in each node's directory (<see cref="NodeDirectoryOwner"/>), which refuses another cluster's.</param>
    public FileRaftStorageProvider(string dataDir, bool fsync, string clusterId)
    {
        _dataDir = Path.GetFullPath(dataDir);
        _fsync = fsync;
        _clusterId = clusterId;
    }

    public void ClaimGroups(RaftGroups groups) => DataDirectoryGroups.Claim(_dataDir, groups);

    public IRaftStorage For(string group, int nodeId) =>
        _nodes.GetOrAdd((group, nodeId), replica =>
        {
            NodeDirectoryOwner.Claim(NodeDirectory(replica), replica.Group, replica.Node, _clusterId);
            return new FileRaftStorage(NodeDirectory(replica), _fsync);
        });

    public IKvEngine StateFor(string group, int nodeId) =>
        _states.GetOrAdd((group, nodeId), replica => new Lazy<RocksKvEngine>(() => RocksKvEngine.Open(Path.Combine(NodeDirectory(replica), "state")))).Value;

    private string NodeDirectory((string Group, int Node) replica) => Path.Combine(_dataDir, replica.Group, $"node-{replica.Node}");

    public void Dispose()
    {
        foreach (var storage in _nodes.Values) storage.Dispose();
        foreach (var state in _states.Values.Where(s => s.IsValueCreated)) state.Value.Dispose();
    }
}
