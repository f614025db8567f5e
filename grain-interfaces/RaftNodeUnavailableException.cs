namespace RaftOrleans;

/// <summary>
/// A Raft node that cannot answer: crashed (fault injection), or its silo is not active (cluster mode's placement
/// refuses to put it anywhere else). To its callers it looks like a dead peer.
/// </summary>
[GenerateSerializer]
public sealed class RaftNodeUnavailableException : Exception
{
    public RaftNodeUnavailableException(int nodeId) : base($"Raft node {nodeId} is down") => NodeId = nodeId;

    public RaftNodeUnavailableException(int nodeId, string why) : base($"Raft node {nodeId} is down: {why}") => NodeId = nodeId;

    /// <summary>Node <paramref name="nodeId"/> of group <paramref name="group"/>.</summary>
    public RaftNodeUnavailableException(string group, int nodeId, string? why = null)
        : base($"Raft node {nodeId} of group {group} is down{(why is null ? "" : ": " + why)}") => NodeId = nodeId;

    [Id(0)] public int NodeId { get; init; }
}
