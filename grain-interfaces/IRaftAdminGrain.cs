using RaftOrleans.Raft;

namespace RaftOrleans;

/// <summary>
/// The administrative surface of the store, the one besides <see cref="IKvGatewayGrain"/> that clients may call:
/// membership changes, leadership transfer and, when raft.toml's [faults] enables it, fault injection. Each call names
/// the group and the node it acts on and is passed to that node. A silo takes these orders from a client only when its
/// administration rule allows (see the README's "Security"); it refuses anyone else with <see cref="CallRefusedException"/>.
/// Use key 0.
/// </summary>
public interface IRaftAdminGrain : IGrainWithIntegerKey
{
    /// <summary><see cref="IRaftNodeGrain.TransferLeadership"/> on node <paramref name="node"/> of <paramref name="group"/>.</summary>
    Task<TransferResult> TransferLeadership(string group, int node, int? target);

    /// <summary><see cref="IRaftNodeGrain.ChangeMembership"/> on node <paramref name="node"/> of <paramref name="group"/>.</summary>
    Task<MembershipResult> ChangeMembership(string group, int node, MembershipChange change);

    /// <summary>Fault injection: <see cref="IRaftNodeGrain.Crash"/>.</summary>
    Task Crash(string group, int node);

    /// <summary>Fault injection: <see cref="IRaftNodeGrain.Restart"/>.</summary>
    Task Restart(string group, int node);

    /// <summary>Fault injection: <see cref="IRaftNodeGrain.CutOff"/>.</summary>
    Task CutOff(string group, int node, int[] peers);
}
