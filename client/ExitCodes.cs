namespace RaftOrleans.Client;

/// <summary>
/// The process exit codes, one meaning each, so scripts can tell a refusal by the store apart from a mistake
/// on the command line and from a cluster that cannot answer.
/// </summary>
internal static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Ok = 0;

    /// <summary>The KV semantics refused the operation: put of an existing key, get or delete of a missing one.</summary>
    public const int Refused = 1;

    /// <summary>Bad usage or configuration: unknown command or option, bad raft.toml, or a request the gateway calls Invalid.</summary>
    public const int Usage = 2;

    /// <summary>No silo reachable, no leader, or no definitive answer before the deadline.</summary>
    public const int Unavailable = 3;

    /// <summary>`tasks` ran, but not every task completed exactly once (failed, duplicated or not read back).</summary>
    public const int NotExactlyOnce = 4;

    /// <summary>`check` found a violation: a history that is not linearizable, a lost acknowledged write, or replicas that differ.</summary>
    public const int CheckFailed = 5;

    /// <summary>`check` could not decide: the search ran out of time, or some key could not be read back.</summary>
    public const int CheckUndecided = 6;

    /// <summary>
    /// A silo refused the order before doing anything: fault injection is off in its raft.toml, an administrative order
    /// from a client that may not give it, or too many requests in flight.
    /// </summary>
    public const int Forbidden = 7;
}
