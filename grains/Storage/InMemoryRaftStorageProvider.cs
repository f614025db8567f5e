using System.Collections.Concurrent;

namespace RaftOrleans.Storage;

public sealed class InMemoryRaftStorageProvider : IRaftStorageProvider
{
    private readonly ConcurrentDictionary<int, InMemoryRaftStorage> _nodes = new();

    public IRaftStorage For(int nodeId) => _nodes.GetOrAdd(nodeId, _ => new InMemoryRaftStorage());
}
