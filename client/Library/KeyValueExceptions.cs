namespace RaftOrleans.KeyValue;

/// <summary>An operation ended without a result: the store was unavailable, or refused the request as malformed. <see cref="Reason"/> says why in one line.</summary>
public abstract class KeyValueStoreException(string message, string reason) : Exception(message)
{
    /// <summary>What the gateway (or the library) said, without the operation around it.</summary>
    public string Reason { get; } = reason;
}

/// <summary>
/// No leader committed the operation before its deadline (no majority, an election that outlasted it, no gateway
/// reachable). It was sent <see cref="Sends"/> times under one request id: a write may still take effect once
/// (<see cref="MayHaveTakenEffect"/>), never twice — also later than this exception, while a copy of it is still on its
/// way, so a read right now does not settle it. Design writes so that finding them done is fine (a put that meets its
/// own value, a delete that finds the key gone).
/// </summary>
public sealed class KeyValueUnavailableException(string operation, string key, string reason, int sends, bool mayHaveTakenEffect)
    : KeyValueStoreException(
        $"{operation} '{key}': store unavailable: {reason} " + (sends == 0 ? "(not sent)" :
        $"(sent {sends} {(sends == 1 ? "time" : "times")} with the same request id, " +
        (mayHaveTakenEffect ? "so it may have taken effect once, never twice)" : "and not applied)")), reason)
{
    /// <summary>How often the request went out (one send and its resends, all under one request id); 0: never.</summary>
    public int Sends { get; } = sends;

    /// <summary>A write that may have been applied (its outcome is unknown); false for reads, and for writes refused unsent.</summary>
    public bool MayHaveTakenEffect { get; } = mayHaveTakenEffect;
}

/// <summary>
/// The store refused the request before it reached the log: the key or value breaks a limit of raft.toml's
/// (max_key_bytes, max_value_bytes), the key is empty, or the group does not exist. Sending it again will not help.
/// </summary>
public sealed class KeyValueRequestRejectedException(string operation, string key, string reason)
    : KeyValueStoreException($"{operation} '{key}': rejected: {reason}", reason);
