namespace RaftOrleans;

/// <summary>Thrown by a node grain that is crashed (fault injection): to its callers it looks like a dead peer.</summary>
[GenerateSerializer]
public sealed class RaftNodeUnavailableException : Exception
{
    public RaftNodeUnavailableException(int nodeId) : base($"Raft node {nodeId} is down") => NodeId = nodeId;

    [Id(0)] public int NodeId { get; init; }
}
