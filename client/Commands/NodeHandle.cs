using RaftOrleans.Client.Kv;
using RaftOrleans.Raft;
using RaftOrleans.Status;

namespace RaftOrleans.Client.Commands;

/// <summary>
/// Node <paramref name="NodeId"/> of <paramref name="Group"/> as the console reaches it: a client may not call a node
/// grain (the silos refuse it), so orders go through the administration grain and status through a gateway, each time
/// through a gateway picked at random in cluster mode, so that one dead silo does not stop the orders for the others.
/// </summary>
internal sealed record NodeHandle(IGrainFactory Grains, string Group, int NodeId, bool SpreadOverSilos)
{
    private int Key => SpreadOverSilos ? Random.Shared.Next(GatewayRoute.GatewayKeys) : 0;

    private IRaftAdminGrain Admin => Grains.GetGrain<IRaftAdminGrain>(Key);

    public Task Crash() => Admin.Crash(Group, NodeId);

    public Task Restart() => Admin.Restart(Group, NodeId);

    public Task CutOff(int[] peers) => Admin.CutOff(Group, NodeId, peers);

    public Task<TransferResult> TransferLeadership(int? target) => Admin.TransferLeadership(Group, NodeId, target);

    public Task<MembershipResult> ChangeMembership(MembershipChange change) => Admin.ChangeMembership(Group, NodeId, change);

    public Task<NodeStatus> GetStatus(TimeSpan? wait = null) => Grains.GetGrain<IKvGatewayGrain>(Key).GetNodeStatus(Group, NodeId, wait);
}
