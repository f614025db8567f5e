namespace RaftOrleans.Configuration;

/// <summary>
/// One thing wrong with a configuration: the dotted key it is about (<c>raft.heartbeat_interval_ms</c>, or a
/// section name) and the message to show, e.g. <c>raft.heartbeat_interval_ms: must be at least 1, got 0</c>.
/// <see cref="RelatedKey"/> names the other key of a cross-key rule (min &lt; max), if any.
/// </summary>
public sealed record ConfigProblem(string Key, string Message, string? RelatedKey = null)
{
    /// <summary>A value that is present but wrong: the message is "<paramref name="key"/>: <paramref name="reason"/>".</summary>
    public static ConfigProblem Invalid(string key, string reason, string? relatedKey = null) =>
        new(key, $"{key}: {reason}", relatedKey);

    public override string ToString() => Message;
}
