namespace RaftOrleans.Storage;

/// <summary>
/// A snapshot of the state machine as of log entry <see cref="Index"/> (of <see cref="Term"/>): it replaces
/// every entry up to and including that index. <see cref="Data"/> is the KV layer's own encoding.
/// </summary>
public sealed record StoredSnapshot(long Index, long Term, byte[] Data);
