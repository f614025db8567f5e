using RaftOrleans.Kv;

namespace RaftOrleans.Client.Bench;

/// <summary>
/// Which request a bench client sends next: the same choices as the etcd loader, so that the two measure
/// the same work. Fresh keys carry the run id, so runs against one store never collide; the pool keys do
/// not, because every run first puts the pool back into a known state (see <see cref="KeyPoolPreparer"/>).
/// </summary>
internal sealed class BenchWorkload(BenchMix mix, int keys, string runId)
{
    public static string PoolKey(int index) => $"bench-k-{index}";

    public (KvOperation Operation, string Key) Next(int client, long request, Random random)
    {
        switch (mix)
        {
            case BenchMix.Put:
                return (KvOperation.Put, $"bench-{runId}-{client}-{request}");
            case BenchMix.Get:
                return (KvOperation.Get, PoolKey(random.Next(keys)));
            default:
                // One draw of four: two gets, one put, one delete.
                var draw = random.Next(4);
                var operation = draw < 2 ? KvOperation.Get : draw == 2 ? KvOperation.Put : KvOperation.Delete;
                return (operation, PoolKey(random.Next(keys)));
        }
    }
}
