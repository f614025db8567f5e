using RaftOrleans.Kv;
using RaftOrleans.Status;

namespace RaftOrleans;

/// <summary>
/// The grain clients call for data (administration is <see cref="IRaftAdminGrain"/>). It validates the request, forwards it to the leader it last knew, follows
/// NotLeader hints, retries with the same (client id, sequence) so a retry is never applied twice, and
/// answers Unavailable at the deadline instead of hanging. Use key 0 with one silo; in cluster mode any key (the
/// Orleans client routes each key through a gateway of its own, so spreading keys spreads the gateways).
/// <para>
/// Each request goes to one Raft group: <c>group</c> when given, else the one the key's hash picks
/// (<see cref="Groups.RaftGroups.For"/>). A client's sessions are per group: number the writes to each group 1, 2, 3...
/// on their own (the console does), and give the group, so that a resend reaches the same group whatever happens.
/// </para>
/// </summary>
public interface IKvGatewayGrain : IGrainWithIntegerKey
{
    Task<KvResult> Put(Guid clientId, long sequence, string key, string value, string? group = null);

    Task<KvResult> Get(Guid clientId, long sequence, string key, string? group = null);

    Task<KvResult> Delete(Guid clientId, long sequence, string key, string? group = null);

    /// <summary>
    /// Several requests in one call, each handled exactly as if it came alone (validated, routed to its group's leader,
    /// answered within the gateway's deadline); the answers come back in the requests' order once all of them are in.
    /// They run side by side, like requests sent at the same moment: their order in the log is not the batch's.
    /// A client with many requests out at once saves a message and a turn of the silo per request: the client library
    /// sends what its sessions have ready together this way. A batch counts as that many requests against
    /// gateway.max_requests_in_flight.
    /// </summary>
    Task<KvResult[]> Batch(KvGroupRequest[] requests);

    /// <summary>
    /// Node <paramref name="nodeId"/> of <paramref name="group"/>'s status, asked from this gateway's silo (read-only). In cluster mode it lets
    /// a client reach a node through any gateway, not only the one the client routes that node's calls through (and
    /// clients may not call a node grain themselves).
    /// </summary>
    /// <param name="wait">How long to wait for the node's answer: default raft.toml's rpc_timeout_ms, at most 10 s.</param>
    Task<NodeStatus> GetNodeStatus(string group, int nodeId, TimeSpan? wait = null);

    /// <summary>
    /// What a client needs to know to number and route its requests (groups, deadlines, session lifetime), from this
    /// silo's raft.toml: the client library asks once, so an application needs no copy of the configuration.
    /// </summary>
    Task<KvClientSettings> GetClientSettings();
}
