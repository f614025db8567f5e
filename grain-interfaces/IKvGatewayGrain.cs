using RaftOrleans.Kv;

namespace RaftOrleans;

/// <summary>
/// The only grain clients call. It validates the request, forwards it to the leader it last knew, follows
/// NotLeader hints, retries with the same (client id, sequence) so a retry is never applied twice, and
/// answers Unavailable at the deadline instead of hanging. Use key 0.
/// </summary>
public interface IKvGatewayGrain : IGrainWithIntegerKey
{
    Task<KvResult> Put(Guid clientId, long sequence, string key, string value);

    Task<KvResult> Get(Guid clientId, long sequence, string key);

    Task<KvResult> Delete(Guid clientId, long sequence, string key);
}
