using System.Collections.Concurrent;

namespace RaftOrleans;

/// <summary>
/// The leader of each group that this silo's gateways last reached, or its node last heard of
/// (<see cref="LeaderCacheObserver"/>), shared by all the gateways' activations (a singleton). The gateway is a
/// stateless worker, and clients in cluster mode spread their attempts over many gateway keys: each new
/// activation starting from the known leader, instead of walking the nodes (a paused one costs a whole attempt),
/// keeps the first request after a failover as cheap as the rest.
/// </summary>
public sealed class LeaderCache
{
    private readonly ConcurrentDictionary<string, Slot> _groups = new(StringComparer.Ordinal);

    /// <summary>The leader of <paramref name="group"/> last known here, or null.</summary>
    public int? Leader(string group) => _groups.TryGetValue(group, out var slot) && slot.Leader is var id and > 0 ? id : null;

    /// <summary>
    /// Completes when this silo next learns of a leader of <paramref name="group"/> other than the one it knows now:
    /// a gateway waiting on a node that died goes to the new leader the moment the news comes, not at its next look.
    /// </summary>
    public Task NextLeader(string group) => SlotOf(group).Changed.Next;

    public void Reached(string group, int node) => SlotOf(group).Set(node);

    /// <summary>Forgets <paramref name="node"/> if it is still the one remembered (another gateway may know better already).</summary>
    public void Failed(string group, int node) => Interlocked.CompareExchange(ref SlotOf(group).Leader, 0, node);

    private Slot SlotOf(string group) => _groups.GetOrAdd(group, static _ => new Slot());

    private sealed class Slot
    {
        public volatile int Leader; // 0: unknown
        public readonly Signal Changed = new();

        public void Set(int node)
        {
            if (Leader == node) return; // every answered request says so again: the common case costs one read
            Leader = node;
            Changed.Fire(); // after the leader is set: whoever it wakes reads the new one
        }
    }
}
