using RaftOrleans.Kv;

namespace RaftOrleans.KeyValue.Sessions;

/// <summary>
/// What one logical request finally got. <see cref="Resends"/> counts how often the session sent it again under the
/// same (client id, sequence); the gateway's own internal retries are not visible here.
/// </summary>
internal sealed record RequestOutcome(KvRequest Request, KvResult Result, int Resends)
{
    /// <summary>put stored, get found, delete removed.</summary>
    public bool Succeeded => Result.Status == KvStatus.Ok;

    /// <summary>The state machine answered, and said no: the key exists (put) or is missing (get, delete).</summary>
    public bool Refused => Result.Status is KvStatus.KeyExists or KvStatus.NotFound;

    /// <summary>No definitive answer: unavailable after every resend, invalid, or its session expired between resends.</summary>
    public bool Failed => !Succeeded && !Refused;

    /// <summary>Failed because no leader answered (not because the request was malformed).</summary>
    public bool Unanswered => Result.Status is KvStatus.Unavailable or KvStatus.NotLeader;
}
