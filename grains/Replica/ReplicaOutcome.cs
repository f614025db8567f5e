namespace RaftOrleans.Replica;

/// <summary>How a client request ended at this replica.</summary>
public enum ReplicaOutcomeKind
{
    /// <summary>Committed and applied (a write), or answered from confirmed state (a read): <see cref="ReplicaOutcome{TResult}.Result"/> holds the answer.</summary>
    Done,

    /// <summary>This replica does not lead (any more): ask <see cref="ReplicaOutcome{TResult}.LeaderHint"/>. A write may still take effect once.</summary>
    NotLeader,

    /// <summary>This replica is down (crashed or stopped); a write may still take effect once.</summary>
    Down,
}

public readonly record struct ReplicaOutcome<TResult>(ReplicaOutcomeKind Kind, TResult? Result, int? LeaderHint)
{
    public static ReplicaOutcome<TResult> Done(TResult result) => new(ReplicaOutcomeKind.Done, result, null);
    public static ReplicaOutcome<TResult> NotLeader(int? hint) => new(ReplicaOutcomeKind.NotLeader, default, hint);
    public static readonly ReplicaOutcome<TResult> Down = new(ReplicaOutcomeKind.Down, default, null);
}
