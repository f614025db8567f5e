using System.Security.Cryptography.X509Certificates;
using RaftOrleans.KeyValue.Sessions;
using RaftOrleans.Raft;
using RaftOrleans.Status;

namespace RaftOrleans.Client.Commands;

/// <summary>
/// Node <paramref name="NodeId"/> of <paramref name="Group"/> as the console reaches it: a client may not call a node
/// grain (the silos refuse it), so orders go through the administration grain and status through a gateway, each time
/// through a gateway picked at random in cluster mode, so that one dead silo does not stop the orders for the others.
/// </summary>
/// <param name="Administrator">raft.toml's tls.admin_certificate, with its key: every order is signed with it (<see cref="AdminOrders"/>).</param>
/// <param name="ClusterId">raft.toml's cluster.id, which the signature names.</param>
internal sealed record NodeHandle(IGrainFactory Grains, string Group, int NodeId, bool SpreadOverSilos, X509Certificate2? Administrator = null, string ClusterId = "")
{
    private int Key => SpreadOverSilos ? Random.Shared.Next(GatewayRoute.GatewayKeys) : 0;

    private IRaftAdminGrain Admin => Grains.GetGrain<IRaftAdminGrain>(Key);

    public Task Crash() => Signed(admin => admin.Crash(Group, NodeId), nameof(IRaftAdminGrain.Crash), Group, NodeId);

    public Task Restart() => Signed(admin => admin.Restart(Group, NodeId), nameof(IRaftAdminGrain.Restart), Group, NodeId);

    public Task CutOff(int[] peers) => Signed(admin => admin.CutOff(Group, NodeId, peers), nameof(IRaftAdminGrain.CutOff), Group, NodeId, peers);

    public Task<TransferResult> TransferLeadership(int? target) =>
        Signed(admin => admin.TransferLeadership(Group, NodeId, target), nameof(IRaftAdminGrain.TransferLeadership), Group, NodeId, target);

    public Task<MembershipResult> ChangeMembership(MembershipChange change) =>
        Signed(admin => admin.ChangeMembership(Group, NodeId, change), nameof(IRaftAdminGrain.ChangeMembership), Group, NodeId, change);

    /// <summary>Sends the order, signed when an administrator's certificate is configured (the arguments as the order names them).</summary>
    private T Signed<T>(Func<IRaftAdminGrain, T> order, string method, params object?[] arguments)
    {
        if (Administrator is null) return order(Admin);
        RequestContext.Set(AdminOrders.ContextKey, AdminOrders.Sign(Administrator, ClusterId, method, arguments));
        try
        {
            return order(Admin); // the request context is taken with the call, as it is sent
        }
        finally
        {
            RequestContext.Remove(AdminOrders.ContextKey);
        }
    }

    public Task<NodeStatus> GetStatus(TimeSpan? wait = null) => Grains.KvGateway(Key).GetNodeStatus(Group, NodeId, wait);
}
