using Orleans.Runtime;
using Orleans.Runtime.Placement;

using RaftOrleans.Placement;

namespace RaftOrleans.Silo.Placement;

/// <summary>
/// Puts Raft node N (of any group: the grain key's extension) on the one active silo named for node N, and refuses (the call fails with
/// <see cref="RaftNodeUnavailableException"/>) when there is none, or when two active silos claim the name:
/// a node's activation on the wrong silo would be a second node N with an empty log. The caller (a peer's
/// transport, the gateway) counts the call as lost and tries again later, by which time the silo may be back.
/// </summary>
internal sealed class RaftNodePlacementDirector(IClusterMembershipService membership, RaftClusterOptions cluster) : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var node = (int)target.GrainIdentity.GetIntegerKey(out _);
        var name = cluster.SiloNameOf(node);
        var compatible = context.GetCompatibleSilos(target);
        var owners = membership.CurrentSnapshot.Members.Values
            .Where(member => member.Status == SiloStatus.Active && member.Name == name && compatible.Contains(member.SiloAddress))
            .Select(member => member.SiloAddress)
            .ToArray();
        return owners.Length switch
        {
            1 => Task.FromResult(owners[0]),
            0 => Task.FromException<SiloAddress>(new RaftNodeUnavailableException(node, $"its silo ({name}) is not active")),
            _ => Task.FromException<SiloAddress>(new RaftNodeUnavailableException(node,
                $"{owners.Length} active silos claim to be {name} ({string.Join(", ", owners.Select(o => o.ToString()))}); stop all but one")),
        };
    }
}
