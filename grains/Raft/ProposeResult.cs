namespace RaftOrleans.Raft;

/// <summary>
/// The answer to a proposal. Accepted means "appended to the leader's log at (Index, Term)", not committed:
/// the command takes effect when an entry with that index and term comes out in
/// <see cref="Ready.CommittedEntries"/>. If a different term arrives at that index, the proposal was lost.
/// </summary>
public readonly record struct ProposeResult(bool Accepted, long Index, long Term, int? LeaderHint)
{
    public static ProposeResult Appended(long index, long term) => new(true, index, term, null);
    public static ProposeResult NotLeader(int? leaderHint) => new(false, 0, 0, leaderHint);
}
