namespace RaftOrleans.Raft;

/// <summary>A read waiting for its leadership check. Round 0: not yet given a round (the commit index is not yet known to be current).</summary>
internal sealed record PendingRead(long RequestId, long ReadIndex, long Round);
