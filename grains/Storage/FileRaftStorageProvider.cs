using System.Collections.Concurrent;

namespace RaftOrleans.Storage;

/// <summary>One <see cref="FileRaftStorage"/> per node, in <c>dataDir/node-&lt;id&gt;</c>. Disposed with the silo.</summary>
public sealed class FileRaftStorageProvider : IRaftStorageProvider, IDisposable
{
    private readonly string _dataDir;
    private readonly bool _fsync;
    private readonly ConcurrentDictionary<int, FileRaftStorage> _nodes = new();

    public FileRaftStorageProvider(string dataDir, bool fsync)
    {
        _dataDir = Path.GetFullPath(dataDir);
        _fsync = fsync;
    }

    public IRaftStorage For(int nodeId) =>
        _nodes.GetOrAdd(nodeId, id => new FileRaftStorage(Path.Combine(_dataDir, $"node-{id}"), _fsync));

    public void Dispose()
    {
        foreach (var storage in _nodes.Values) storage.Dispose();
    }
}
