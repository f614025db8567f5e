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
}
