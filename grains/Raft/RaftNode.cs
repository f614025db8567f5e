namespace RaftOrleans.Raft;

/// <summary>
/// One Raft node as a deterministic state machine (Figure 2 of the extended Raft paper). It owns no thread,
/// clock, timer, disk or network: the caller feeds it <see cref="Tick"/> (time passed), <see cref="Step"/>
/// (a message from a peer) and <see cref="Propose"/> (a client command), then calls <see cref="TakeReady"/>
/// and carries out the returned batch in order: persist, send, apply. Given the same inputs and the same
/// seeded <see cref="Random"/>, it always produces the same outputs, which is what lets the tests simulate
/// whole clusters with virtual time.
/// </summary>
public sealed partial class RaftNode
{
    private readonly RaftOptions _options;
    private readonly Random _random;
    private readonly RaftLog _log;
    private readonly ConfigHistory _configs;
    private int[] _peers = []; // whom a leader replicates to: the members in force but this node, and those leaving (see ConfigurationChanged)
    private int[] _leaving = []; // members the latest configuration removed, until it commits
    private readonly Dictionary<int, Progress> _progress = new();
    private readonly HashSet<int> _votes = new();
    private Ready _ready = new();
    private bool _hardStateDirty;
    private SoftState _reportedSoftState;

    // The last index handed out in Ready.CommittedEntries (etcd's "applying"): the shell applies them and then
    // reports back with AppliedTo, so the core's LastApplied is what the state machine really holds.
    private long _handedOut;

    // Every entry of the log up to here is durable on this node's own disk, as the shell reported with StableTo.
    // A leader counts itself toward a commit only up to here: it writes its new entries in parallel with
    // sending them to the followers (Raft thesis 10.2.1), so its log may run ahead of its disk.
    private long _stableIndex;

    private TimeSpan _electionElapsed;
    private TimeSpan _electionTimeout;
    private TimeSpan _heartbeatElapsed;
    private TimeSpan _checkQuorumElapsed;
    private TimeSpan _campaignStartedAt;

    /// <summary>Starts (or restarts) a node from what it had persisted: its hard state and its log.</summary>
    public RaftNode(RaftOptions options, HardState hardState, IEnumerable<LogEntry> persistedLog, Random random)
        : this(options, hardState, snapshotIndex: 0, snapshotTerm: 0, persistedLog, random)
    {
    }

    /// <summary>
    /// Restarts a node whose log was compacted: the state machine was restored from a snapshot ending at
    /// (<paramref name="snapshotIndex"/>, <paramref name="snapshotTerm"/>), and the log holds what follows it.
    /// </summary>
    /// <param name="snapshotConfig">
    /// The configuration in force at the snapshot's index (the state machine keeps it with the state); null for the
    /// bootstrap configuration, <see cref="RaftOptions.Members"/>, when no configuration entry was ever applied.
    /// </param>
    public RaftNode(RaftOptions options, HardState hardState, long snapshotIndex, long snapshotTerm,
        IEnumerable<LogEntry> persistedLog, Random random, ClusterConfig? snapshotConfig = null)
    {
        options.Validate();
        _options = options;
        _random = random;
        _log = new RaftLog(snapshotIndex, snapshotTerm);
        _configs = new ConfigHistory(snapshotIndex, snapshotConfig ?? ClusterConfig.Bootstrap(options.Members));
        SnapshotIndex = snapshotIndex;
        foreach (var entry in persistedLog) AppendToLog(entry);
        ConfigurationChanged();
        // A snapshot holds only committed entries, already applied to the restored state machine.
        CommitIndex = snapshotIndex;
        LastApplied = snapshotIndex;
        _handedOut = snapshotIndex;
        _stableIndex = _log.LastIndex; // what it restarts from was read back from the disk
        Term = hardState.Term;
        VotedFor = hardState.VotedFor;
        _reportedSoftState = new SoftState(Role, LeaderId, Term, _quiesced);
        ResetElectionTimer();
    }

    public int Id => _options.NodeId;
    public Role Role { get; private set; } = Role.Follower;
    public long Term { get; private set; }
    public int? VotedFor { get; private set; }

    /// <summary>The leader this node currently follows (itself when leader), or null when it knows none.</summary>
    public int? LeaderId { get; private set; }

    public long CommitIndex { get; private set; }

    /// <summary>
    /// The last index the state machine has applied, as the shell reported with <see cref="AppliedTo"/>
    /// (entries handed out in a Ready but not yet applied are not counted).
    /// </summary>
    public long LastApplied { get; private set; }

    /// <summary>The last index of the log known to be durable on this node's disk (see <see cref="StableTo"/>).</summary>
    public long StableIndex => _stableIndex;

    public long LastLogIndex => _log.LastIndex;

    /// <summary>The last index covered by this node's latest snapshot (0 if none). The log may still hold it.</summary>
    public long SnapshotIndex { get; private set; }

    /// <summary>
    /// The term of the entry at <see cref="SnapshotIndex"/>. The log always holds that index (compaction stops
    /// at or before it, an installed snapshot becomes the log's prefix), so it is read from there.
    /// </summary>
    public long SnapshotTerm => _log.TermAt(SnapshotIndex)
        ?? throw new InvalidOperationException($"node {Id}: the log no longer holds snapshot index {SnapshotIndex}");

    /// <summary>The first index the log holds (or would hold): entries before it are only in the snapshot.</summary>
    public long FirstLogIndex => _log.FirstIndex;

    /// <summary>The term of the entry at <paramref name="index"/>, or null if the log does not hold it.</summary>
    public long? TermAt(long index) => _log.TermAt(index);
    public long LastLogTerm => _log.LastTerm;

    /// <summary>Time on this node's own clock: the sum of every <see cref="Tick"/>.</summary>
    public TimeSpan Now { get; private set; }

    /// <summary>The last election this node won (null if it never led).</summary>
    public ElectionRecord? LastElection { get; private set; }

    /// <summary>The leader's view of each follower; empty unless leader.</summary>
    public IReadOnlyDictionary<int, Progress> Followers => _progress;

    /// <summary>The entry at <paramref name="index"/>, which must be in the log.</summary>
    public LogEntry EntryAt(long index) => _log[index];

    /// <summary>The configuration in force: the latest in the log, committed or not (thesis 4.1).</summary>
    public ClusterConfig Configuration => _configs.Latest;

    /// <summary>The log index of the entry that made <see cref="Configuration"/> (the log's start when none did).</summary>
    public long ConfigurationIndex => _configs.LatestIndex;

    /// <summary>The configuration in force at <paramref name="index"/>, which must not precede the log's start.</summary>
    public ClusterConfig ConfigurationAt(long index) => _configs.At(index);

    /// <summary>Time passes. Drives election timeouts (followers, candidates) and heartbeats (leaders).</summary>
    public void Tick(TimeSpan elapsed)
    {
        if (elapsed < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(elapsed));
        Now += elapsed;
        if (Role == Role.Leader)
        {
            TickLeader(elapsed);
            return;
        }
        if (_quiesced) return; // the host's silo watches the leader's instead (PeerSilent)
        _electionElapsed += elapsed;
        MaybeCampaign();
    }

    /// <summary>Campaigns once the election timer ran out. Only a voter: a learner (or a node removed, or not yet added) waits to hear from a leader.</summary>
    private void MaybeCampaign()
    {
        if (_electionElapsed < _electionTimeout || !IsVoter(Id)) return;
        if (_options.PreVote) PreCampaign();
        else Campaign();
    }

    /// <summary>
    /// How much time may pass before <see cref="Tick"/> has work to do: a leader's next heartbeat or check-quorum round,
    /// anyone else's election timeout (never, for a node that may not campaign: a learner waits to hear from a leader).
    /// A host may sleep this long and feed the time in one tick; smaller ticks change nothing but the clock. Any input
    /// may change it (a heartbeat received pushes a follower's back; winning an election brings a heartbeat near).
    /// The end of a leadership transfer needs no wake-up of its own: it only lets proposals in again, and the time is
    /// fed before each of them.
    /// </summary>
    public TimeSpan UntilNextTimer
    {
        get
        {
            if (_quiesced) return TimeSpan.MaxValue; // woken by an input, never by time
            if (Role == Role.Leader)
            {
                var heartbeat = _options.HeartbeatInterval - _heartbeatElapsed;
                var quorumCheck = _options.ElectionTimeoutMin - _checkQuorumElapsed;
                return NotNegative(heartbeat < quorumCheck ? heartbeat : quorumCheck);
            }
            return IsVoter(Id) ? NotNegative(_electionTimeout - _electionElapsed) : TimeSpan.MaxValue;
        }
    }

    private static TimeSpan NotNegative(TimeSpan span) => span > TimeSpan.Zero ? span : TimeSpan.Zero;

    /// <summary>A message from a peer arrives.</summary>
    /// <remarks>
    /// Messages are not filtered by membership: a node that joins (or is behind) may not yet know the configuration that
    /// names its leader or the candidate it should vote for, and refusing them could leave a majority unable to elect.
    /// Membership decides only whose votes and copies count, and whom a leader or candidate writes to.
    /// </remarks>
    public void Step(RaftMessage message)
    {
        if (message.To != Id || message.From == Id) return;
        if (_quiesced && Role == Role.Leader && Wakes(message)) WakeUp();

        if (message.Term > Term)
        {
            // Figure 2, all servers: a higher term means this node is out of date. An AppendEntries names
            // the leader of that term (so does an InstallSnapshot); anything else leaves it unknown for now.
            // Except a pre-vote and a granted answer to one: they are about a term nobody has entered yet.
            if (!IsAboutAFutureTerm(message))
                BecomeFollower(message.Term, message is AppendEntries or InstallSnapshot or TimeoutNow ? message.From : null);
        }
        else if (message.Term < Term)
        {
            // A stale sender: answer requests so it learns the newer term; drop stale replies.
            switch (message)
            {
                case RequestVote rv: Reply(VoteReply(rv.From, granted: false, rv.PreVote)); break;
                case AppendEntries ae: Reply(AppendRejected(ae, conflictTerm: 0, conflictIndex: 0)); break;
                case InstallSnapshot snapshot: Reply(SnapshotReply(snapshot.From, done: false, matchIndex: 0)); break;
            }
            return;
        }

        switch (message)
        {
            case RequestVote rv: HandleRequestVote(rv); break;
            case RequestVoteReply reply: HandleVoteReply(reply); break;
            case AppendEntries ae: HandleAppendEntries(ae); break;
            case AppendEntriesReply reply: HandleAppendReply(reply); break;
            case InstallSnapshot snapshot: HandleInstallSnapshot(snapshot); break;
            case InstallSnapshotReply reply: HandleSnapshotReply(reply); break;
            case TimeoutNow timeoutNow: HandleTimeoutNow(timeoutNow); break;
            default: throw new ArgumentException($"unknown message {message.GetType().Name}", nameof(message));
        }
    }

    /// <summary>
    /// A client command. A leader appends it to its log and reports where; it takes effect only once that
    /// entry comes out committed. Anyone else refuses and names the leader it knows.
    /// </summary>
    public ProposeResult Propose(byte[] command)
    {
        if (command.Length == 0) throw new ArgumentException("a command must not be empty (empty marks a no-op)", nameof(command));
        if (Role != Role.Leader) return ProposeResult.NotLeader(LeaderId);
        WakeUp();
        // Handing leadership over: new entries would only keep the target behind. The client tries the target.
        if (_transferTarget is { } target) return ProposeResult.NotLeader(target);
        var entry = new LogEntry(_log.LastIndex + 1, Term, command);
        AppendLocal(entry);
        return ProposeResult.Appended(entry.Index, entry.Term);
    }

    /// <summary>
    /// The shell has applied every entry up to <paramref name="index"/> (handed out in a Ready), or restored the
    /// state machine from a snapshot ending there. Snapshots may be taken, and the log compacted, only up to it.
    /// </summary>
    public void AppliedTo(long index)
    {
        if (index > _handedOut)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"only entries handed out (up to {_handedOut}) can be applied");
        if (index > LastApplied) LastApplied = index;
    }

    /// <summary>
    /// The shell's write of the log up to (<paramref name="index"/>, <paramref name="term"/>) is durable. Ignored
    /// when the log no longer holds that entry (a later batch replaced it; its own write will report).
    /// </summary>
    public void StableTo(long index, long term)
    {
        if (index <= _stableIndex || _log.TermAt(index) != term) return;
        _stableIndex = index;
        MaybeCommit();
    }

    /// <summary>
    /// Hands over everything the inputs since the last call produced. A leader sends its new entries here,
    /// once per batch rather than once per proposal, so proposals that arrive together travel together.
    /// </summary>
    public Ready TakeReady()
    {
        StepDownIfRemoved();
        ForgetLeftPeers();
        if (Role == Role.Leader)
        {
            foreach (var peer in _peers) SendAppends(peer, heartbeat: false);
        }
        if (_hardStateDirty)
        {
            _ready.HardState = new HardState(Term, VotedFor);
            _hardStateDirty = false;
        }
        for (var i = _handedOut + 1; i <= CommitIndex; i++) _ready.CommittedEntries.Add(_log[i]);
        _handedOut = CommitIndex;
        if (Role == Role.Leader) AdvanceReads();
        _ready.MessagesMayPrecedePersist = _ready.HardState is null && _ready.Snapshot is null
            && (Role == Role.Leader ? _ready.Replies.Count == 0 : VouchesOnlyForDurable(_ready));
        var softState = new SoftState(Role, LeaderId, Term, _quiesced);
        if (softState != _reportedSoftState)
        {
            _ready.SoftState = softState;
            _reportedSoftState = softState;
        }

        var ready = _ready;
        _ready = new Ready();
        return ready;
    }

    /// <summary>
    /// A follower's batch that writes nothing and only acknowledges what its disk already holds (a heartbeat at an index
    /// it made durable): its answer need not wait behind the writes of earlier batches. Otherwise a disk that stalls
    /// for an election timeout silences every follower sharing it, and check-quorum deposes a leader whose followers
    /// all still follow it (seen with the embedded silo's one log: leaders stepping down under a single client, no
    /// follower campaigning first). etcd's raft with asynchronous storage writes answers heartbeats without waiting
    /// for the append in the same way. The batch's committed entries (none here) would still be applied in order.
    /// </summary>
    private bool VouchesOnlyForDurable(Ready ready) =>
        ready.EntriesToPersist.Count == 0 && ready.Messages.Count == 0 && ready.CommittedEntries.Count == 0
        && ready.Replies.Count > 0 && ready.Replies.All(r => r is AppendEntriesReply { Success: true } ack && ack.MatchIndex <= _stableIndex);

    private bool IsVoter(int id) => _configs.Latest.IsVoter(id);

    private void BecomeFollower(long term, int? leader)
    {
        if (term > Term)
        {
            Term = term;
            VotedFor = null;
            _hardStateDirty = true;
        }
        Role = Role.Follower;
        LeaderId = leader;
        _quiesced = false;
        _transferTarget = null;
        FailReads();
        _progress.Clear();
        _votes.Clear();
        ResetElectionTimer();
    }

    private void ResetElectionTimer()
    {
        _electionElapsed = TimeSpan.Zero;
        var spread = _options.ElectionTimeoutMax.Ticks - _options.ElectionTimeoutMin.Ticks;
        _electionTimeout = _options.ElectionTimeoutMin + TimeSpan.FromTicks((long)(_random.NextDouble() * spread));
    }

    private void AppendLocal(LogEntry entry)
    {
        if (AppendToLog(entry)) ConfigurationChanged();
        _ready.AddToPersist(entry);
        MaybeCommit(); // a one-node cluster commits on its own append
    }

    /// <summary>Appends to the in-memory log; a configuration entry takes effect at once. True if it was one.</summary>
    private bool AppendToLog(LogEntry entry)
    {
        _log.Append(entry);
        if (!entry.IsConfig) return false;
        _configs.Appended(entry.Index, ClusterConfig.Decode(entry.Data));
        return true;
    }

    private void Send(RaftMessage message)
    {
        // Anything else than a quiescing heartbeat wakes its follower: answers to earlier rounds must no longer count,
        // even when they arrive after the answer to this (see MaybeQuiesce).
        if (message is AppendEntries { QuiesceRound: 0 }) _quiesceRound++;
        _ready.Messages.Add(message);
    }

    /// <summary>The answer to a request stepped in this batch: the shell returns it to that request's caller.</summary>
    private void Reply(RaftMessage reply) => _ready.Replies.Add(reply);
}
