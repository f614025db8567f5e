namespace RaftOrleans.Client.Bench;

/// <summary>
/// How one bench request ended. The first three are answers of the store (a refusal by the KV semantics is
/// a normal result under load); the last three are the errors the bench counts.
/// </summary>
internal enum BenchOutcome
{
    Ok,
    KeyExists,
    NotFound,

    /// <summary>No leader committed it before the gateway's deadline (or a NotLeader that reached the client).</summary>
    Unavailable,

    /// <summary>The gateway refused the request itself (key or value too long).</summary>
    Invalid,

    /// <summary>The call threw: the connection to the silo was lost.</summary>
    Exception,
}
