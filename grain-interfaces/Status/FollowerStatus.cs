namespace RaftOrleans.Status;

/// <summary>A leader's view of one follower.</summary>
[GenerateSerializer, Immutable]
public sealed record FollowerStatus(
    [property: Id(0)] int NodeId,
    [property: Id(1)] long MatchIndex,
    [property: Id(2)] long NextIndex,
    [property: Id(3)] double SinceLastContactMs);
