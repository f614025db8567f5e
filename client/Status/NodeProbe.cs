using RaftOrleans.Status;

namespace RaftOrleans.Client.Status;

/// <summary>One node's answer to GetStatus, or why there was none (the node grain failed or timed out).</summary>
internal sealed record NodeProbe(int NodeId, NodeStatus? Status, string? Problem)
{
    /// <summary>Answered and not crashed by fault injection.</summary>
    public bool IsRunning => Status is { Crashed: false };
}
