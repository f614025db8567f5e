using System.Collections.Concurrent;
using RaftOrleans.State;

namespace RaftOrleans.Storage;

/// <summary><c>storage.kind = "memory"</c>: log and state on the heap, kept across a node's crash and restart, lost with the silo.</summary>
public sealed class InMemoryRaftStorageProvider : IRaftStorageProvider
{
    private readonly ConcurrentDictionary<int, InMemoryRaftStorage> _nodes = new();
    private readonly ConcurrentDictionary<int, MemoryKvEngine> _states = new();

    public IRaftStorage For(int nodeId) => _nodes.GetOrAdd(nodeId, _ => new InMemoryRaftStorage());

    public IKvEngine StateFor(int nodeId) => _states.GetOrAdd(nodeId, _ => new MemoryKvEngine());
}
