using System.Collections.Concurrent;
using RaftOrleans.Kv;

namespace RaftOrleans.KeyValue.Sessions;

/// <summary>
/// Cluster mode: which silo each gateway grain key reaches and which node leads each group, learned from the
/// gateways' answers (<see cref="KvResult.GatewayNode"/>, <see cref="KvResult.Leader"/>), so that a request goes to
/// the gateway on its group's leader's silo. That gateway reaches the leader inside its own process; any other one
/// adds a cross-process round trip to the request (BENCHMARKS.md).
/// <para>
/// Why a key has a silo at all: the Orleans client sends every call to one grain through the same gateway connection
/// (it buckets calls by grain id and gives a bucket the next live gateway, round robin, at its first use), and a
/// stateless gateway grain runs on the silo the call arrives at. So a key's silo, once seen, stays right until that
/// gateway goes away, and every answer says again which silo it came from: the map mends itself. What it knows only
/// steers: a stale entry costs the round trip it was meant to save, never a request.
/// </para>
/// </summary>
internal sealed class GatewayMap(int keys)
{
    private const int Unknown = 0; // node ids start at 1

    private readonly int[] _nodeOfKey = new int[keys];
    private readonly ConcurrentDictionary<string, int> _leaders = new(StringComparer.Ordinal);

    /// <summary>
    /// A gateway key for a request to <paramref name="group"/>: the first one seen reaching its leader's silo, else any.
    /// Always the same key for one leader, so that the requests ready at the same moment for that silo travel in one
    /// call (<see cref="GatewayBatcher"/> batches per key).
    /// </summary>
    public int PickKey(string group)
    {
        if (_leaders.TryGetValue(group, out var leader))
        {
            for (var key = 0; key < _nodeOfKey.Length; key++)
            {
                if (Volatile.Read(ref _nodeOfKey[key]) == leader) return key;
            }
        }
        // No known leader, or no key seen on its silo yet: any key (this request's answer teaches one more).
        return Random.Shared.Next(_nodeOfKey.Length);
    }

    /// <summary>
    /// What the answer to a request sent under <paramref name="key"/> tells. An answer that is not definitive forgets the
    /// group's leader, so that the resend goes through any gateway rather than again to a silo that may be gone.
    /// </summary>
    public void Learn(int key, string group, KvResult result)
    {
        if (result.GatewayNode is { } node) Volatile.Write(ref _nodeOfKey[key], node);
        if (result.Leader is { } leader) _leaders[group] = leader;
        else if (!result.IsDefinitive) Forget(group);
    }

    /// <summary>The attempt failed without an answer (a lost connection, no answer in time): forget the group's leader.</summary>
    public void Forget(string group) => _leaders.TryRemove(group, out _);

    /// <summary>The leader of <paramref name="group"/> this map steers to; null: none known.</summary>
    public int? LeaderOf(string group) => _leaders.TryGetValue(group, out var leader) ? leader : null;

    /// <summary>The node whose silo <paramref name="key"/> was last seen reaching; null: not seen yet.</summary>
    public int? NodeOf(int key) => Volatile.Read(ref _nodeOfKey[key]) is var node and not Unknown ? node : null;
}
