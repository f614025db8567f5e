using RaftOrleans.KeyValue.Sessions;
using RaftOrleans.Kv;

namespace RaftOrleans.Client.Bench;

/// <summary>
/// Puts the key pool into a known state before the warm-up, so every run starts alike however the previous
/// one left the store. For `get` every key is present, so every get hits. For `mixed` it is what the etcd
/// loader does: even keys present, odd keys absent, which is the steady state of 25% put / 25% delete
/// (about half the pool present), so the run does not drift from its first second to its last.
/// </summary>
internal static class KeyPoolPreparer
{
    /// <summary>Null when the pool is ready, else why not (a request that got no answer from the store).</summary>
    public static async Task<string?> PrepareAsync(GatewayRoute route, BenchMix mix, int keys, string value, int parallelism)
    {
        if (mix == BenchMix.Put)
        {
            return null;
        }
        var next = -1;
        string? failure = null;
        async Task WorkerAsync()
        {
            // Default resends here: this is set-up, not measurement, and one lost answer should not stop it.
            var session = new KvSession(route);
            int index;
            while (Volatile.Read(ref failure) is null && (index = Interlocked.Increment(ref next)) < keys)
            {
                var key = BenchWorkload.PoolKey(index);
                var outcome = mix == BenchMix.Get || index % 2 == 0
                    ? await session.PutAsync(key, value)
                    : await session.DeleteAsync(key);
                // KeyExists and NotFound mean the key was already as wanted.
                if (!outcome.Result.IsDefinitive)
                {
                    Interlocked.CompareExchange(ref failure, $"preparing key {key}: {outcome.Result}", null);
                }
            }
        }
        await Task.WhenAll(Enumerable.Range(0, Math.Min(parallelism, keys)).Select(_ => WorkerAsync()));
        return failure;
    }
}
