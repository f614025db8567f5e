using Orleans;

namespace RaftOrleans.Raft;

/// <summary>RequestVote RPC results (Figure 2).</summary>
[GenerateSerializer, Immutable]
public sealed record RequestVoteReply : RaftMessage
{
    [Id(0)] public required bool VoteGranted { get; init; }
}
