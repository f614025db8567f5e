namespace RaftOrleans.Configuration;

/// <summary>
/// The <c>[faults]</c> section: fault injection that only a test of the store itself may use (the fault suite,
/// `client check`). Off by default, so a normal deployment has no such door.
/// </summary>
public sealed record FaultSettings
{
    /// <summary>
    /// <c>enabled</c>: each node accepts orders to drop its Raft messages to and from chosen peers (a network
    /// partition made inside the silo). Default false: the orders are refused.
    /// </summary>
    public bool Enabled { get; init; }
}
