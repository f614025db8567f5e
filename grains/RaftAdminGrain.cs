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
public sealed class RaftAdminGrain(RaftClusterOptions cluster) : Grain, IRaftAdminGrain
{
    public Task<TransferResult> TransferLeadership(string group, int node, int? target) => Node(group, node).TransferLeadership(target);

    public Task<MembershipResult> ChangeMembership(string group, int node, MembershipChange change) => Node(group, node).ChangeMembership(change);

    public Task Crash(string group, int node) => Node(group, node).Crash();

    public Task Restart(string group, int node) => Node(group, node).Restart();

    public Task CutOff(string group, int node, int[] peers) => Node(group, node).CutOff(peers);

    private IRaftNodeGrain Node(string group, int node) => cluster.Groups.Contains(group)
        ? GrainFactory.RaftNode(group, node)
        : throw new ArgumentException($"there is no group '{group}' (raft.toml's [groups] declares: {cluster.Groups.Names})", nameof(group));
}
