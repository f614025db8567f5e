namespace RaftOrleans.Raft;

/// <summary>
/// In a <see cref="Ready"/>: read <see cref="RequestId"/> may be answered from the state machine now. Its
/// leadership was confirmed after the read arrived, and everything committed when it arrived
/// (<see cref="ReadIndex"/>) has been applied by the time the shell applies this batch's entries.
/// </summary>
public readonly record struct ReadState(long RequestId, long ReadIndex);
