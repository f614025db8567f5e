using Orleans;

namespace RaftOrleans.Raft;

/// <summary>
/// Leadership transfer's last step (thesis 3.10, etcd's MsgTimeoutNow): the leader, having brought the target's
/// log up to its own, tells it to start an election at once, without waiting for its timer or asking first
/// (pre-vote). No answer: the election that follows is the answer.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record TimeoutNow : RaftMessage;
