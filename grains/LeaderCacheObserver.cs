using RaftOrleans.Kv;
using RaftOrleans.Raft;
using RaftOrleans.Replica;

namespace RaftOrleans;

/// <summary>
/// Tells this silo's gateways (<see cref="LeaderCache"/>) of every leader of its group this silo's replica learns of, the
/// moment it does: a gateway waiting on a leader that died goes to the new one as soon as it is elected, with no call to ask.
/// </summary>
internal sealed class LeaderCacheObserver(LeaderCache cache, string group) : IReplicaObserver<KvResult>
{
    public void SoftStateChanged(SoftState state)
    {
        if (state.LeaderId is { } leader) cache.Reached(group, leader);
    }
}
