namespace RaftOrleans.Raft;

/// <summary>How a node won one election, on its own clock: for `status` and for the logs.</summary>
public sealed record ElectionRecord(long Term, int Leader, TimeSpan StartedAt, TimeSpan WonAt, IReadOnlyList<int> Voters)
{
    public TimeSpan Duration => WonAt - StartedAt;
}
