namespace RaftOrleans.Raft;

/// <summary>
/// Everything one batch of inputs asks the shell to do, in the order it must be done:
/// 1. persist <see cref="Snapshot"/>, <see cref="HardState"/> and <see cref="EntriesToPersist"/> (durable
///    before anything is sent, unless <see cref="MessagesMayPrecedePersist"/>), then report the write with
///    <see cref="RaftNode.StableTo"/>;
/// 2. send <see cref="Messages"/> and return <see cref="Replies"/> to their callers;
/// 3. restore the state machine from <see cref="Snapshot"/> if set, then apply <see cref="CommittedEntries"/>
///    in order, report them with <see cref="RaftNode.AppliedTo"/> and answer the clients waiting on them.
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

    /// <summary>Requests to peers (and snapshot transfers to start): each is a call whose answer is stepped back in.</summary>
    public List<RaftMessage> Messages { get; } = new();

    /// <summary>
    /// Answers to the requests stepped since the last Ready, in order: each goes back to the caller of its
    /// request (a grain call's return value), never out as a call of its own.
    /// </summary>
    public List<RaftMessage> Replies { get; } = new();

    /// <summary>
    /// True when <see cref="Messages"/> and <see cref="Replies"/> may leave before this batch's write, and the writes of
    /// the batches before it, are durable (once the node's term and vote are: the shell knows that, see
    /// RaftReplica.MaySendNow). Two kinds of batch: a leader's that changes neither term nor vote and answers no
    /// request — its appends depend only on its log, which followers check for themselves, so it writes its new entries
    /// in parallel with sending them (Raft thesis 10.2.1) and counts itself toward a commit only once they are durable
    /// (see RaftNode.StableTo); and a follower's that writes nothing and only acknowledges entries already durable here
    /// (a heartbeat), which vouches for nothing the disk has not got. Everything else (votes, a follower's
    /// acknowledgements of new entries, a candidate's requests) waits for the disk.
    /// </summary>
    public bool MessagesMayPrecedePersist { get; internal set; }

    /// <summary>Set when role, leader or term changed since the last Ready (etcd's SoftState): nothing to persist.</summary>
    public SoftState? SoftState { get; internal set; }

    /// <summary>Newly committed entries, contiguous and in order; apply them all.</summary>
    public List<LogEntry> CommittedEntries { get; } = new();

    /// <summary>Reads confirmed by this batch: answer them from the state machine after applying <see cref="CommittedEntries"/>.</summary>
    public List<ReadState> ReadStates { get; } = new();

    /// <summary>Reads this node can no longer serve (it stopped leading): the client should ask the leader.</summary>
    public List<long> FailedReads { get; } = new();

    public bool IsEmpty => Snapshot is null && HardState is null && EntriesToPersist.Count == 0 && Messages.Count == 0
        && Replies.Count == 0 && SoftState is null && CommittedEntries.Count == 0 && ReadStates.Count == 0 && FailedReads.Count == 0;

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
