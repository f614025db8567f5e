namespace RaftOrleans.Raft;

/// <summary>
/// Everything one batch of inputs asks the shell to do, in the order it must be done:
/// 1. persist <see cref="Snapshot"/>, <see cref="HardState"/> and <see cref="EntriesToPersist"/> (durable
///    before anything is sent);
/// 2. send <see cref="Messages"/>;
/// 3. restore the state machine from <see cref="Snapshot"/> if set, then apply <see cref="CommittedEntries"/>
///    in order and answer the clients waiting on them.
/// </summary>
public sealed class Ready
{
    /// <summary>Set when this node accepted a snapshot from its leader.</summary>
    public SnapshotInstall? Snapshot { get; internal set; }

    /// <summary>Set when term or vote changed in this batch.</summary>
    public HardState? HardState { get; internal set; }

    /// <summary>
    /// Entries to write, in index order. Storage first drops every entry at or after the first one's index
    /// (a follower replacing a conflicting suffix), then appends them all.
    /// </summary>
    public List<LogEntry> EntriesToPersist { get; } = new();

    public List<RaftMessage> Messages { get; } = new();

    /// <summary>Newly committed entries, contiguous and in order; apply them all.</summary>
    public List<LogEntry> CommittedEntries { get; } = new();

    /// <summary>Reads confirmed by this batch: answer them from the state machine after applying <see cref="CommittedEntries"/>.</summary>
    public List<ReadState> ReadStates { get; } = new();

    /// <summary>Reads this node can no longer serve (it stopped leading): the client should ask the leader.</summary>
    public List<long> FailedReads { get; } = new();

    public bool IsEmpty => Snapshot is null && HardState is null && EntriesToPersist.Count == 0 && Messages.Count == 0
        && CommittedEntries.Count == 0 && ReadStates.Count == 0 && FailedReads.Count == 0;

    /// <summary>A snapshot replaced the log up to <paramref name="index"/>: queued entries up to there are moot.</summary>
    internal void DropPersistUpTo(long index) => EntriesToPersist.RemoveAll(e => e.Index <= index);

    internal void AddToPersist(LogEntry entry)
    {
        // A later truncation inside this same batch supersedes what was queued from that index on.
        if (EntriesToPersist.Count > 0 && EntriesToPersist[^1].Index >= entry.Index)
        {
            var firstStale = EntriesToPersist.FindIndex(e => e.Index >= entry.Index);
            EntriesToPersist.RemoveRange(firstStale, EntriesToPersist.Count - firstStale);
        }
        EntriesToPersist.Add(entry);
    }
}
