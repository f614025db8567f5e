namespace RaftOrleans.Kv;

/// <summary>The last request a client had applied and the answer it got: what makes retries exactly-once.</summary>
public readonly record struct ClientSession(long LastSequence, KvResult LastResult);
