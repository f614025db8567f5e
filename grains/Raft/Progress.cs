namespace RaftOrleans.Raft;

/// <summary>
/// What a leader knows of one follower's log (Figure 2's nextIndex and matchIndex), plus the flow control
/// that keeps replication fast without flooding: in <see cref="ReplicationMode.Probe"/> the leader sends one
/// AppendEntries at a time to find where the logs agree; in <see cref="ReplicationMode.Replicate"/> it
/// streams up to MaxInflightAppends batches without waiting (pipelining); in
/// <see cref="ReplicationMode.Snapshot"/> a snapshot is on its way and nothing else is sent until it lands.
/// </summary>
public sealed class Progress
{
    private readonly Queue<(long LastIndex, TimeSpan SentAt)> _inflight = new();

    public Progress(long nextIndex) => NextIndex = nextIndex;

    public long NextIndex { get; set; }
    public long MatchIndex { get; set; }
    public ReplicationMode Mode { get; private set; } = ReplicationMode.Probe;

    /// <summary>In Probe mode: a probe is outstanding; wait for its reply or the next heartbeat.</summary>
    public bool ProbeSent { get; set; }

    /// <summary>Leader-clock time of the last reply of any kind from this follower (for check-quorum and status).</summary>
    public TimeSpan LastContact { get; set; }

    /// <summary>The newest ReadIndex round this follower has echoed.</summary>
    public long ReadRoundAcked { get; set; }

    /// <summary>The leader's quiescing round this follower last answered by quiescing (0: its last answer was anything else).</summary>
    public long QuiescedRound { get; set; }

    /// <summary>Answered at least once in this leader's term (a learner is promoted only once it has).</summary>
    public bool Answered { get; private set; }

    /// <summary>Heard from since the last check-quorum round.</summary>
    public bool RecentActive { get; set; }

    /// <summary>In Snapshot mode: when the snapshot was sent, or its transfer last moved on (leader clock).</summary>
    public TimeSpan SnapshotSentAt { get; private set; }

    public int InflightCount => _inflight.Count;

    /// <summary>Any reply from the follower in the leader's term: it is alive and follows this leader.</summary>
    public void HeardFrom(TimeSpan now)
    {
        LastContact = now;
        RecentActive = true;
        Answered = true;
    }
    public TimeSpan? OldestInflightSentAt => _inflight.Count == 0 ? null : _inflight.Peek().SentAt;

    public void BecomeProbe()
    {
        Mode = ReplicationMode.Probe;
        NextIndex = MatchIndex + 1;
        ProbeSent = false;
        _inflight.Clear();
    }

    public void BecomeReplicate()
    {
        Mode = ReplicationMode.Replicate;
        NextIndex = MatchIndex + 1;
        ProbeSent = false;
        _inflight.Clear();
    }

    public void BecomeSnapshot(TimeSpan now)
    {
        Mode = ReplicationMode.Snapshot;
        SnapshotSentAt = now;
        ProbeSent = false;
        _inflight.Clear();
    }

    /// <summary>
    /// A chunk of the snapshot was answered: the transfer is moving, not lost. A state of any size takes many
    /// chunks, and only a transfer that stalls for the retry interval is sent again.
    /// </summary>
    public void SnapshotProgressed(TimeSpan now)
    {
        if (Mode == ReplicationMode.Snapshot) SnapshotSentAt = now;
    }

    public void RecordSent(long lastIndex, TimeSpan now) => _inflight.Enqueue((lastIndex, now));

    /// <summary>The follower matches up to <paramref name="index"/>: every batch ending there or before is done.</summary>
    public void Acknowledge(long index)
    {
        if (index > MatchIndex) MatchIndex = index;
        if (NextIndex <= MatchIndex) NextIndex = MatchIndex + 1;
        while (_inflight.Count > 0 && _inflight.Peek().LastIndex <= MatchIndex) _inflight.Dequeue();
    }
}

public enum ReplicationMode
{
    Probe,
    Replicate,
    Snapshot,
}
