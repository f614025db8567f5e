using Orleans;

namespace RaftOrleans.Raft;

/// <summary>RequestVote RPC arguments (Figure 2): a candidate asks for a vote in <see cref="RaftMessage.Term"/>.</summary>
[GenerateSerializer, Immutable]
public sealed record RequestVote : RaftMessage
{
    [Id(0)] public required long LastLogIndex { get; init; }
    [Id(1)] public required long LastLogTerm { get; init; }
}
