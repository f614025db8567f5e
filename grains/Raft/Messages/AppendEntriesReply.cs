using Orleans;

namespace RaftOrleans.Raft;

/// <summary>
/// AppendEntries RPC results (Figure 2), extended with what the leader needs to repair a follower quickly.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record AppendEntriesReply : RaftMessage
{
    [Id(0)] public required bool Success { get; init; }

    /// <summary>On success: the last index the follower now holds that matches the leader (prev + entries).</summary>
    [Id(1)] public required long MatchIndex { get; init; }

    /// <summary>The PrevLogIndex of the request this answers, so the leader can recognise a stale rejection.</summary>
    [Id(2)] public required long RejectedPrevIndex { get; init; }

    /// <summary>
    /// On rejection: the term of the follower's entry at PrevLogIndex (0 if the follower's log is too short),
    /// and the first index the follower holds of that term (or its last index + 1 when too short). With these
    /// the leader skips a whole conflicting term per round trip instead of one entry (section 5.3).
    /// </summary>
    [Id(3)] public required long ConflictTerm { get; init; }
    [Id(4)] public required long ConflictIndex { get; init; }

    /// <summary>The <see cref="AppendEntries.ReadRound"/> of the request this answers.</summary>
    [Id(5)] public long ReadRound { get; init; }

    /// <summary>The <see cref="AppendEntries.QuiesceRound"/> of the request this answers if the follower quiesced by it; else 0.</summary>
    [Id(6)] public long QuiescedRound { get; init; }
}
