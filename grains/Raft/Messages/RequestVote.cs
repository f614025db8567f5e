using Orleans;

namespace RaftOrleans.Raft;

/// <summary>
/// RequestVote RPC arguments (Figure 2): a candidate asks for a vote in <see cref="RaftMessage.Term"/>. A pre-vote
/// (thesis 9.6) asks the same about a term the sender has not entered yet: the answer changes nobody's term or vote.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record RequestVote : RaftMessage
{
    [Id(0)] public required long LastLogIndex { get; init; }
    [Id(1)] public required long LastLogTerm { get; init; }
    [Id(2)] public bool PreVote { get; init; }
}
