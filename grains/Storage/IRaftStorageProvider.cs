using RaftOrleans.State;

namespace RaftOrleans.Storage;

/// <summary>
/// Hands each node grain its storage: the Raft log (term, vote, entries) and the state machine's engine. A
/// silo-wide singleton, so storage outlives a node's crash and its grain's activation.
/// </summary>
public interface IRaftStorageProvider
{
    IRaftStorage For(int nodeId);

    /// <summary>The node's state engine (opened once per silo; the node reopens its state from it at every start).</summary>
    IKvEngine StateFor(int nodeId);
}
