namespace RaftOrleans.KeyValue;

/// <summary>How the library sends requests; everything else it learns from the cluster (groups, the gateways' deadline).</summary>
public sealed class KeyValueClientOptions
{
    /// <summary>
    /// How long one operation may take, its resends included, when the call names no deadline of its own. Null (the
    /// default): three times the cluster's gateway.request_timeout_ms, long enough to ride out a leader's failover.
    /// </summary>
    public TimeSpan? Deadline { get; set; }

    /// <summary>The group every operation goes to; null (the default): the group each key's hash picks.</summary>
    public string? Group { get; set; }
}
