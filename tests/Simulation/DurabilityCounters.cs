namespace RaftOrleans.Tests.Simulation;

/// <summary>
/// How often one run went down the snapshot and crash-consistency paths (and the ReadIndex ones). The sweeps add these up and fail
/// if any of them stays at zero: a future change that quietly stops exercising a path fails the test rather
/// than passing for the wrong reason.
/// </summary>
internal sealed class DurabilityCounters
{
    /// <summary>Snapshots a node took of its own state machine, each followed by a compaction of its log.</summary>
    public int Compactions { get; set; }

    /// <summary>AppendEntries a leader sent with entries its latest snapshot covers: the retained catch-up tail at work.</summary>
    public int AppendsFromRetainedTail { get; set; }

    /// <summary>
    /// Compactions that kept the log back past the catch-up tail, to the index of a snapshot being sent: its
    /// follower goes on from the log once it has installed it.
    /// </summary>
    public int CompactionsKeepingLogForTransfer { get; set; }

    /// <summary>AppendEntries a leader sent with entries its own disk had not made durable yet (it writes in parallel).</summary>
    public int AppendsAheadOfOwnDisk { get; set; }

    /// <summary>
    /// A follower's acknowledgements sent while its disk still had writes in flight: heartbeats at an index it already
    /// held durably, answered without waiting behind those writes (and so vouching for none of them).
    /// </summary>
    public int AcksAheadOfEarlierWrites { get; set; }

    /// <summary>Leaders crashed right after committing entries their own disk had not made durable yet.</summary>
    public int LeaderCrashesAheadOfOwnDisk { get; set; }

    /// <summary>InstallSnapshot transfers a leader started (the core asked, the shell filled in the saved bytes).</summary>
    public int SnapshotsSent { get; set; }

    /// <summary>InstallSnapshot chunks sent (several per transfer when the seed's chunks are small).</summary>
    public int SnapshotChunksSent { get; set; }

    /// <summary>Transfers of more than one chunk.</summary>
    public int MultiChunkSnapshots { get; set; }

    /// <summary>Snapshots a follower's core accepted (Ready.Snapshot), and of those, how many discarded the follower's log.</summary>
    public int SnapshotsInstalled { get; set; }
    public int SnapshotsInstalledDiscardingLog { get; set; }

    /// <summary>Restarts whose state engine had kept an applied state (only the log after it is replayed).</summary>
    public int RestartsFromState { get; set; }

    /// <summary>... whose engine had applied past the end of the log on disk (a leader applies before its own write is durable).</summary>
    public int RestartsWithStateAheadOfLog { get; set; }

    /// <summary>Crashes in which the state engine lost writes it had not synced (its applied index went back).</summary>
    public int StateWritesLostInCrash { get; set; }

    /// <summary>Crashes in which the state's write buffer lost keys it held in memory (BufferedKvEngine).</summary>
    public int HeldStateLostInCrash { get; set; }

    /// <summary>Crashes with writes in flight (queued to the disk, not yet durable).</summary>
    public int CrashesWithWritesInFlight { get; set; }

    /// <summary>... whose write reached the disk not at all (the snapshot included, if it carried one).</summary>
    public int PersistLost { get; set; }

    /// <summary>... whose write reached the disk in part: a prefix of its records (a torn tail).</summary>
    public int PersistTorn { get; set; }

    /// <summary>... torn so that some entries survived but the hard state written with them did not.</summary>
    public int PersistTornWithoutHardState { get; set; }

    /// <summary>... whose writes all reached the disk, the crash coming before the node heard so.</summary>
    public int PersistCompleteUnsent { get; set; }

    /// <summary>... that struck while an accepted snapshot was being saved, before it was restored.</summary>
    public int MidInstallCrashes { get; set; }

    /// <summary>Gets a leader answered through ReadIndex (Ready.ReadStates), and ones it handed back because it stopped leading (Ready.FailedReads).</summary>
    public int ReadsAnswered { get; set; }
    public int ReadsFailed { get; set; }

    /// <summary>Answers to pre-votes: yes, and no (a leader still heard from, a log behind, a later term).</summary>
    public int PreVotesGranted { get; set; }
    public int PreVotesRefused { get; set; }

    /// <summary>Leadership transfers a leader took on, and TimeoutNow messages sent to their targets.</summary>
    public int TransfersStarted { get; set; }
    public int TimeoutNowsSent { get; set; }

    /// <summary>Membership changes a leader saw committed, and ones it refused (a change in flight, a learner behind...).</summary>
    public int MembershipChangesCommitted { get; set; }
    public int MembershipChangesRefused { get; set; }

    /// <summary>Client sessions the committed log expired, and requests answered SessionExpired.</summary>
    public int SessionsExpired { get; set; }
    public int SessionExpiredAnswers { get; set; }

    /// <summary>
    /// Leaders that quiesced (their whole group idle); quiesced followers woken by their silo (their leader's silo fell
    /// silent); quiesced leaders woken by theirs (a follower's silo fell silent); quiesced followers that a peer's
    /// pre-vote made ask their silo, and learned of a silence before its next beat.
    /// </summary>
    public int LeadersQuiesced { get; set; }
    public int FollowersToldLeaderSilent { get; set; }
    public int LeadersToldFollowerSilent { get; set; }
    public int SilencesFoundByAPreVote { get; set; }

    /// <summary>Turns after which a snapshot chunk waited for the pace (storage.snapshot_send_mb_per_s).</summary>
    public int ChunksWaitingForThePace { get; set; }

    public static DurabilityCounters Sum(IEnumerable<DurabilityCounters> all)
    {
        var sum = new DurabilityCounters();
        foreach (var c in all)
        {
            sum.Compactions += c.Compactions;
            sum.AppendsFromRetainedTail += c.AppendsFromRetainedTail;
            sum.CompactionsKeepingLogForTransfer += c.CompactionsKeepingLogForTransfer;
            sum.AppendsAheadOfOwnDisk += c.AppendsAheadOfOwnDisk;
            sum.LeaderCrashesAheadOfOwnDisk += c.LeaderCrashesAheadOfOwnDisk;
            sum.AcksAheadOfEarlierWrites += c.AcksAheadOfEarlierWrites;
            sum.SnapshotsSent += c.SnapshotsSent;
            sum.SnapshotChunksSent += c.SnapshotChunksSent;
            sum.MultiChunkSnapshots += c.MultiChunkSnapshots;
            sum.SnapshotsInstalled += c.SnapshotsInstalled;
            sum.SnapshotsInstalledDiscardingLog += c.SnapshotsInstalledDiscardingLog;
            sum.RestartsFromState += c.RestartsFromState;
            sum.RestartsWithStateAheadOfLog += c.RestartsWithStateAheadOfLog;
            sum.StateWritesLostInCrash += c.StateWritesLostInCrash;
            sum.HeldStateLostInCrash += c.HeldStateLostInCrash;
            sum.CrashesWithWritesInFlight += c.CrashesWithWritesInFlight;
            sum.PersistLost += c.PersistLost;
            sum.PersistTorn += c.PersistTorn;
            sum.PersistTornWithoutHardState += c.PersistTornWithoutHardState;
            sum.PersistCompleteUnsent += c.PersistCompleteUnsent;
            sum.MidInstallCrashes += c.MidInstallCrashes;
            sum.ReadsAnswered += c.ReadsAnswered;
            sum.PreVotesGranted += c.PreVotesGranted;
            sum.PreVotesRefused += c.PreVotesRefused;
            sum.TransfersStarted += c.TransfersStarted;
            sum.TimeoutNowsSent += c.TimeoutNowsSent;
            sum.SessionsExpired += c.SessionsExpired;
            sum.MembershipChangesCommitted += c.MembershipChangesCommitted;
            sum.MembershipChangesRefused += c.MembershipChangesRefused;
            sum.SessionExpiredAnswers += c.SessionExpiredAnswers;
            sum.ReadsFailed += c.ReadsFailed;
            sum.LeadersQuiesced += c.LeadersQuiesced;
            sum.FollowersToldLeaderSilent += c.FollowersToldLeaderSilent;
            sum.LeadersToldFollowerSilent += c.LeadersToldFollowerSilent;
            sum.SilencesFoundByAPreVote += c.SilencesFoundByAPreVote;
            sum.ChunksWaitingForThePace += c.ChunksWaitingForThePace;
        }
        return sum;
    }

    /// <summary>Each counter by name, for the report and for the "every path was exercised" assertion.</summary>
    public IReadOnlyList<(string Name, int Count)> All() =>
    [
        ("compactions", Compactions),
        ("  keeping the log for a snapshot being sent", CompactionsKeepingLogForTransfer),
        ("appends from the tail kept before a snapshot", AppendsFromRetainedTail),
        ("leader appends sent before its own write was durable", AppendsAheadOfOwnDisk),
        ("leaders crashed with a commit ahead of their own disk", LeaderCrashesAheadOfOwnDisk),
        ("follower acks sent ahead of earlier writes still in flight", AcksAheadOfEarlierWrites),
        ("InstallSnapshot transfers sent", SnapshotsSent),
        ("InstallSnapshot chunks sent", SnapshotChunksSent),
        ("multi-chunk transfers", MultiChunkSnapshots),
        ("snapshots installed", SnapshotsInstalled),
        ("installed with DiscardLog", SnapshotsInstalledDiscardingLog),
        ("installed keeping the log after it", SnapshotsInstalled - SnapshotsInstalledDiscardingLog),
        ("restarts from the engine's state", RestartsFromState),
        ("  with the state ahead of the log on disk", RestartsWithStateAheadOfLog),
        ("crashes losing unsynced state writes", StateWritesLostInCrash),
        ("crashes losing state held in memory", HeldStateLostInCrash),
        ("crashes with writes in flight", CrashesWithWritesInFlight),
        ("  persist lost", PersistLost),
        ("  persist torn", PersistTorn),
        ("  torn: entries kept, hard state lost", PersistTornWithoutHardState),
        ("  persist complete, nothing sent", PersistCompleteUnsent),
        ("  while installing a snapshot", MidInstallCrashes),
        ("reads answered via ReadIndex", ReadsAnswered),
        ("reads failed (leader stepped down)", ReadsFailed),
        ("pre-votes granted", PreVotesGranted),
        ("pre-votes refused", PreVotesRefused),
        ("leadership transfers started", TransfersStarted),
        ("TimeoutNow sent", TimeoutNowsSent),
        ("membership changes committed", MembershipChangesCommitted),
        ("membership changes refused", MembershipChangesRefused),
        ("client sessions expired", SessionsExpired),
        ("requests answered SessionExpired", SessionExpiredAnswers),
        ("leaders quiesced", LeadersQuiesced),
        ("quiesced followers told their leader's silo fell silent", FollowersToldLeaderSilent),
        ("quiesced leaders told a follower's silo fell silent", LeadersToldFollowerSilent),
        ("silences found when a pre-vote came", SilencesFoundByAPreVote),
        ("turns ending with a snapshot chunk waiting for the pace", ChunksWaitingForThePace),
    ];

    public override string ToString() => string.Join(", ", All().Select(c => $"{c.Name.Trim()} {c.Count}"));
}
