using Orleans;

namespace RaftOrleans.Raft;

/// <summary>
/// AppendEntries RPC arguments (Figure 2). With no entries it is a heartbeat: it still carries the
/// consistency check on (<see cref="PrevLogIndex"/>, <see cref="PrevLogTerm"/>) and the leader's commit index.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record AppendEntries : RaftMessage
{
    [Id(0)] public required long PrevLogIndex { get; init; }
    [Id(1)] public required long PrevLogTerm { get; init; }
    [Id(2)] public required LogEntry[] Entries { get; init; }
    [Id(3)] public required long LeaderCommit { get; init; }

    /// <summary>
    /// The leader's latest ReadIndex round (0: none yet). The follower echoes it: a majority of echoes proves
    /// the sender was still leader when the round began, which is what lets it answer reads without the log.
    /// </summary>
    [Id(4)] public long ReadRound { get; init; }

    /// <summary>
    /// Non-zero: the leader's round of quiescing heartbeats (see <see cref="RaftNode.Quiesced"/>). A follower whose log
    /// ends here, all committed, stops its election timer and echoes the round.
    /// </summary>
    [Id(5)] public long QuiesceRound { get; init; }
}
