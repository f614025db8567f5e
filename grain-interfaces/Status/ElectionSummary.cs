namespace RaftOrleans.Status;

/// <summary>One won election: who, in which term, when, with whose votes, and how long the campaign took.</summary>
[GenerateSerializer, Immutable]
public sealed record ElectionSummary(
    [property: Id(0)] long Term,
    [property: Id(1)] int Leader,
    [property: Id(2)] DateTimeOffset ElectedAt,
    [property: Id(3)] double DurationMs,
    [property: Id(4)] int[] Voters);
