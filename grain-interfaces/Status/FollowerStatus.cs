namespace RaftOrleans.Status;

/// <summary>A leader's view of one follower.</summary>
[GenerateSerializer, Immutable]
public sealed record FollowerStatus(
    [property: Id(0)] int NodeId,
    [property: Id(1)] long MatchIndex,
    [property: Id(2)] long NextIndex,
    [property: Id(3)] double SinceLastContactMs)
{
    /// <summary>
    /// How many entries of a leader's log (ending at <paramref name="leaderLastLogIndex"/>) a follower matching up to
    /// <paramref name="matchIndex"/> lacks; null while its match index is 0: it has not answered its new leader yet, and
    /// counting the whole log would show every election as a huge lag. One rule for the metrics, the console and the page.
    /// </summary>
    public static long? Behind(long leaderLastLogIndex, long matchIndex) => matchIndex > 0 ? leaderLastLogIndex - matchIndex : null;
}
