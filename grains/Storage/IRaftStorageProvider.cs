using RaftOrleans.Groups;
using RaftOrleans.State;

namespace RaftOrleans.Storage;

/// <summary>
/// Hands each replica (a node of a group) its storage: the Raft log (term, vote, entries), the writer that makes its
/// writes durable, and the state machine's engine. A silo-wide singleton, so storage outlives a node's crash and its
/// grain's activation.
/// </summary>
public interface IRaftStorageProvider
{
    /// <summary>
    /// Checks, before any replica opens its storage, that the storage was made for these groups (and records them
    /// when it is new): throws <see cref="InvalidDataException"/> with what to do when raft.toml's groups changed.
    /// </summary>
    void ClaimGroups(RaftGroups groups);

    IRaftStorage For(string group, int nodeId);

    /// <summary>The thread that writes the replica's log: with file storage one for every replica of the silo (one fsync for all).</summary>
    DurableWriter WriterFor(string group, int nodeId);

    /// <summary>The replica's state engine (opened once per silo; the node reopens its state from it at every start).</summary>
    IKvEngine StateFor(string group, int nodeId);
}
