namespace RaftOrleans.Kv;

/// <summary>
/// The last request a client had applied, the answer it got (what makes retries exactly-once), and when, on the
/// state machine's clock (the leaders' stamps in the log, ms since the Unix epoch): a session idle for longer than
/// the session lifetime expires.
/// </summary>
public readonly record struct ClientSession(long LastSequence, KvResult LastResult, long LastActiveMs = 0);
