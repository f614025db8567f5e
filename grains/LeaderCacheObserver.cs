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
    private (int Leader, long Term)? _told;

    public void SoftStateChanged(SoftState state)
    {
        // Only a leader of a term this replica had not told of yet: a soft state that changed otherwise (a quiesced
        // follower woken, still naming the leader that died) must not bring that leader back into a cache that
        // dropped it. The same node elected again, in a later term, is news.
        if (state.LeaderId is not { } leader || _told == (leader, state.Term)) return;
        _told = (leader, state.Term);
        cache.Reached(group, leader);
    }
}
