using System.Collections.Concurrent;
using RaftOrleans.Groups;
using RaftOrleans.State;

namespace RaftOrleans.Storage;

/// <summary><c>storage.kind = "memory"</c>: log and state on the heap, kept across a node's crash and restart, lost with the silo.</summary>
public sealed class InMemoryRaftStorageProvider : IRaftStorageProvider
{
    private readonly ConcurrentDictionary<(string, int), InMemoryRaftStorage> _nodes = new();
    private readonly ConcurrentDictionary<(string, int), MemoryKvEngine> _states = new();
    private readonly ReplicaWriters _writers = new();

    /// <summary>Nothing to check: memory starts empty with every silo.</summary>
    public void ClaimGroups(RaftGroups groups)
    {
    }

    public IRaftStorage For(string group, int nodeId) => _nodes.GetOrAdd((group, nodeId), _ => new InMemoryRaftStorage());

    public DurableWriter WriterFor(string group, int nodeId) => _writers.For(new ReplicaId(group, nodeId), () => For(group, nodeId));

    public IKvEngine StateFor(string group, int nodeId) => _states.GetOrAdd((group, nodeId), _ => new MemoryKvEngine());
}
