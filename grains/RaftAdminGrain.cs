using Orleans.Concurrency;
using Orleans.GrainDirectory;
using RaftOrleans.Placement;
using RaftOrleans.Raft;

namespace RaftOrleans;

/// <summary>
/// Passes a client's administrative order to the node it names. Whether the client may give it at all was decided
/// before this runs (<see cref="Security.ClientCallFilter"/>); whether fault injection is on, the node decides.
/// Stateless worker: it runs on the silo whose gateway the client reached.
/// </summary>
[StatelessWorker, Reentrant, GrainDirectory(GrainDirectoryName = PlacementOnlyDirectory.Name)]
public sealed class RaftAdminGrain(RaftClusterOptions cluster, LeaderCache leaders) : Grain, IRaftAdminGrain
{
    public async Task<TransferResult> TransferLeadership(string group, int node, int? target) => await (await Node(group, node)).TransferLeadership(target);

    public async Task<MembershipResult> ChangeMembership(string group, int node, MembershipChange change) => await (await Node(group, node)).ChangeMembership(change);

    public async Task Crash(string group, int node) => await (await Node(group, node)).Crash();

    public async Task Restart(string group, int node) => await (await Node(group, node)).Restart();

    public async Task CutOff(string group, int node, int[] peers) => await (await Node(group, node)).CutOff(peers);

    /// <summary>The node the order is for: a member of an existing group (<see cref="GroupMembers"/>), else refused.</summary>
    private Task<IRaftNodeGrain> Node(string group, int node) =>
        GroupMembers.NodeAsync(GrainFactory, leaders, cluster.Groups, group, node, cluster.RpcTimeout);
}
