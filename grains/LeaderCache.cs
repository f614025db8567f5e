namespace RaftOrleans;

/// <summary>
/// The leader this silo's gateways last reached, or its node last heard of (<see cref="LeaderCacheObserver"/>),
/// shared by all the gateways' activations (a singleton). The gateway is a
/// stateless worker, and clients in cluster mode spread their attempts over many gateway keys: each new
/// activation starting from the known leader, instead of walking the nodes (a paused one costs a whole attempt),
/// keeps the first request after a failover as cheap as the rest.
/// </summary>
public sealed class LeaderCache
{
    private volatile int _leader; // 0: unknown

    public int? Leader => _leader is var id and > 0 ? id : null;

    public void Reached(int node) => _leader = node;

    /// <summary>Forgets <paramref name="node"/> if it is still the one remembered (another gateway may know better already).</summary>
    public void Failed(int node) => Interlocked.CompareExchange(ref _leader, 0, node);
}
