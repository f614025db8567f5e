using Orleans;

namespace RaftOrleans.Raft;

/// <summary>RequestVote RPC results (Figure 2).</summary>
[GenerateSerializer, Immutable]
public sealed record RequestVoteReply : RaftMessage
{
    [Id(0)] public required bool VoteGranted { get; init; }

    /// <summary>The answer to a pre-vote; when granted, its term is the one the pre-vote asked about.</summary>
    [Id(1)] public bool PreVote { get; init; }
}
