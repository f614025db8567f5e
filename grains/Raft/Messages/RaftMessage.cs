using Orleans;

namespace RaftOrleans.Raft;

/// <summary>
/// Base of every message two Raft nodes exchange. Every message carries the sender's term so the
/// receiver can apply the rule "a higher term makes you a follower" uniformly (Figure 2, all servers).
/// </summary>
[GenerateSerializer, Immutable]
public abstract record RaftMessage
{
    [Id(0)] public required int From { get; init; }
    [Id(1)] public required int To { get; init; }
    [Id(2)] public required long Term { get; init; }
}
