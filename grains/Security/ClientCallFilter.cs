using System.Collections.Concurrent;
using Orleans.Runtime;
using RaftOrleans.Kv;

namespace RaftOrleans.Security;

/// <summary>
/// The silo's door: every call a silo receives passes here, and a call from outside the cluster (an Orleans client
/// connected to a gateway) may reach only the client surface — <see cref="IKvGatewayGrain"/> (put, get, delete,
/// read-only status) and, when the administration rule allows (<see cref="AdminRefusal"/>), <see cref="IRaftAdminGrain"/>. Raft messages, the node grains
/// themselves and every other grain answer such a caller with <see cref="CallRefusedException"/> before anything runs.
/// It also bounds the requests one client connection has in flight (<see cref="RaftClusterOptions.MaxRequestsInFlight"/>).
/// <para>
/// Who is "outside" comes from the caller's id that Orleans stamps on each message: a grain of the cluster, the silo's
/// own hosted client (its start-up task, its status page), or an external client. Orleans' gateway does not check the
/// id a client writes on its messages, so a client that rewrites Orleans' wire protocol could pass as a grain; the
/// network (TLS, which decides who may connect at all) is the defence against that, as the README's Security says.
/// </para>
/// </summary>
public sealed class ClientCallFilter(RaftClusterOptions cluster) : IIncomingGrainCallFilter
{

    private readonly ConcurrentDictionary<GrainId, int> _inFlight = new();

    /// <summary>
    /// Orleans' services a client needs: the type manifest, call cancellation, and the test hooks that only a TestCluster
    /// silo has (Orleans.TestingHost registers them; a real silo has no such target, so a call to it fails anyway).
    /// </summary>
    private static readonly HashSet<GrainType> ClientSystemTargets =
        [SystemTargetGrainId.CreateGrainType("manifest"), SystemTargetGrainId.CreateGrainType("canceler"), SystemTargetGrainId.CreateGrainType("test.hooks")];

    public Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.SourceId is { } source && !FromOutside(source)) return context.Invoke();
        var surface = context.InterfaceMethod.DeclaringType;
        if (surface == typeof(IKvGatewayGrain)) return Counted(context);
        if (surface == typeof(IRaftAdminGrain))
        {
            if (AdminRefusal(context) is { } refusal) throw new CallRefusedException($"{nameof(IRaftAdminGrain)}.{context.MethodName} is refused: {refusal}");
            return Counted(context);
        }
        // Of Orleans' own services (system targets) a client needs only a few (ClientSystemTargets); the others (the
        // catalog that deactivates grains, silo control, the directory...) are the silos' among themselves.
        if (ClientSystemTargets.Contains(context.TargetId.Type)) return context.Invoke();
        throw new CallRefusedException(
            $"{context.InterfaceName}.{context.MethodName} is not open to clients, only to the cluster's own silos: " +
            $"clients call {nameof(IKvGatewayGrain)} (put, get, delete, status) and {nameof(IRaftAdminGrain)} (administration)");
    }

    /// <summary>
    /// Whether a client may give this administrative order: anyone through a loopback gateway (a user of this machine),
    /// else only an administrator whose signature on the order checks out (<see cref="AdminOrders"/>; needs TLS, which
    /// brings the cluster's authority), else nobody.
    /// </summary>
    private string? AdminRefusal(IIncomingGrainCallContext context)
    {
        if (cluster.AdminFromClients) return null;
        if (cluster.AdminCertificateProblem is not { } certificateProblem)
        {
            return "this silo's gateway listens beyond this machine and, without TLS, cannot tell an administrator from anyone else; " +
                   "administration from clients needs the gateways on a loopback address (raft.toml's silo.address = \"127.0.0.1\"), " +
                   "or [tls] enabled and an administrator's certificate";
        }
        var arguments = Enumerable.Range(0, context.Request.GetArgumentCount()).Select(context.Request.GetArgument).ToArray();
        return AdminOrders.Problem(RequestContext.Get(AdminOrders.ContextKey) as AdminSignature, cluster.ClusterId, context.MethodName, arguments,
            certificateProblem, DateTimeOffset.UtcNow);
    }

    /// <summary>
    /// An external Orleans client; a grain of the cluster or a silo's hosted client is inside (Orleans names a silo's
    /// own client "hosted-&lt;silo address&gt;": calls from a silo's non-grain code, its start-up task, its status page).
    /// </summary>
    private static bool FromOutside(GrainId source) => source.IsClient() && !source.Key.AsSpan().StartsWith("hosted-"u8);

    /// <summary>Runs the call unless its connection has too many in flight already, in which case it is refused at once.</summary>
    private async Task Counted(IIncomingGrainCallContext context)
    {
        var connection = context.SourceId ?? default;
        // A batch is as many requests as it carries (IKvGatewayGrain.Batch).
        var requests = context.Request.GetArgumentCount() == 1 && context.Request.GetArgument(0) is KvGroupRequest[] batch ? batch.Length : 1;
        var now = _inFlight.AddOrUpdate(connection, requests, (_, count) => count + requests);
        try
        {
            if (now > cluster.MaxRequestsInFlight)
            {
                throw new CallRefusedException(
                    $"this client has {now - requests} requests in flight at this silo and sent {requests} more; the most it may have is " +
                    $"{cluster.MaxRequestsInFlight} (raft.toml's gateway.max_requests_in_flight): wait for answers before sending more");
            }
            await context.Invoke();
        }
        finally
        {
            // The last call of a connection removes its entry, so clients that come and go leave nothing behind.
            if (_inFlight.AddOrUpdate(connection, 0, (_, count) => count - requests) == 0) _inFlight.TryRemove(new KeyValuePair<GrainId, int>(connection, 0));
        }
    }
}
