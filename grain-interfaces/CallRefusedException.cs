namespace RaftOrleans;

/// <summary>
/// A silo refused a call before running it, and nothing changed: a client called something only the cluster's own
/// silos may call (a Raft message, a node directly), an administrative order came from a client that may not give it,
/// a fault-injection order reached a silo whose raft.toml keeps fault injection off, or a client had too many requests
/// in flight. The message says which, and how to do it right.
/// </summary>
[GenerateSerializer]
public sealed class CallRefusedException(string message) : Exception(message);
