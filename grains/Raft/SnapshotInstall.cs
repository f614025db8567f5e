namespace RaftOrleans.Raft;

/// <summary>
/// In a <see cref="Ready"/>: the follower accepted a leader's snapshot ending at (Index, Term). The shell
/// persists the snapshot bytes it received and restores the state machine from them before anything else.
/// With <see cref="DiscardLog"/> the follower's log disagreed with the snapshot and was dropped whole.
/// </summary>
public sealed record SnapshotInstall(long Index, long Term, bool DiscardLog);
