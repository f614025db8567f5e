using System.Collections.Concurrent;

namespace RaftOrleans.Storage;

/// <summary>
/// One <see cref="DurableWriter"/> per replica, each over the replica's own storage: memory storage, where there is no
/// disk to share (and tests that hold one node's writes back, as a slow disk of its own would). A writer's thread
/// ends while its replica is stopped.
/// </summary>
public sealed class ReplicaWriters
{
    private readonly ConcurrentDictionary<ReplicaId, Lazy<DurableWriter>> _writers = new();

    public DurableWriter For(ReplicaId replica, Func<IRaftStorage> storage) =>
        _writers.GetOrAdd(replica, r => new Lazy<DurableWriter>(() => new DurableWriter(new ReplicaStorageLog(storage()), $"{r.Group}-node-{r.Node}"))).Value;
}
