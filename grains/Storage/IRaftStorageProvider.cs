namespace RaftOrleans.Storage;

/// <summary>Hands each node grain its storage. A silo-wide singleton, so storage outlives a node's crash.</summary>
public interface IRaftStorageProvider
{
    IRaftStorage For(int nodeId);
}
