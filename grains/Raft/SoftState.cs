namespace RaftOrleans.Raft;

/// <summary>
/// In a <see cref="Ready"/>: the node's role, the leader it follows and its term, when any of them changed
/// (etcd's SoftState). Volatile, never persisted; it travels in the batch so that the shell never has to
/// compare the core before and after an input to learn that a leader was elected or deposed. <see cref="Quiesced"/>:
/// the node's heartbeats or election timer stopped (<see cref="RaftNode.Quiesced"/>), which the host's silo must know.
/// </summary>
public readonly record struct SoftState(Role Role, int? LeaderId, long Term, bool Quiesced = false);
