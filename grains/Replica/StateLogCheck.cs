using RaftOrleans.Storage;

namespace RaftOrleans.Replica;

/// <summary>
/// The one check between a node's two stores at start: the log was compacted only up to what the state engine had
/// made durable, so the state has applied at least up to where the log starts. A state behind that point was lost
/// or belongs to another store; starting on it would silently drop the entries in between.
/// </summary>
public static class StateLogCheck
{
    public static void Verify(int nodeId, AppliedPoint state, StoredSnapshot? logStart)
    {
        var start = logStart ?? new StoredSnapshot(0, 0);
        if (state.Index > start.Index || (state.Index == start.Index && state.Term == start.Term)) return;
        throw new InvalidDataException($"node {nodeId}: its state has applied up to {state}, but its Raft log starts after " +
                                       $"({start.Index},t{start.Term}): the state directory was lost or is from another store. " +
                                       "Wipe the node's data directory to let it rejoin empty and receive the state from the others.");
    }
}
