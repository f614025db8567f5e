namespace RaftOrleans.Storage;

/// <summary>
/// Where the stored log starts: the log was compacted up to entry <see cref="Index"/> (of <see cref="Term"/>),
/// because the state machine's own storage holds the state as of that entry, durably. The state itself lives in
/// the state machine's engine, not here.
/// </summary>
public sealed record StoredSnapshot(long Index, long Term);
