namespace RaftOrleans.Kv;

/// <summary>The outcome of one KV request, as a value (never an exception).</summary>
public enum KvStatus
{
    /// <summary>put stored the value, delete removed the key, or get found the value.</summary>
    Ok,

    /// <summary>put refused: the key already holds a value.</summary>
    KeyExists,

    /// <summary>get or delete refused: the key holds no value.</summary>
    NotFound,

    /// <summary>The node asked is not the leader; <see cref="KvResult.LeaderHint"/> names the one it knows.</summary>
    NotLeader,

    /// <summary>No leader committed the request before its deadline; it may still take effect once, never twice.</summary>
    Unavailable,

    /// <summary>The request was refused before reaching the log; <see cref="KvResult.Reason"/> says why.</summary>
    Invalid,

    /// <summary>
    /// Not applied: the client's session expired (no request of it for longer than the session lifetime), so a
    /// repeat could no longer be told from a new request. An earlier copy of the request may have taken effect; the
    /// client starts a new session (a new client id) for what it sends next.
    /// </summary>
    SessionExpired,
}
