using Microsoft.Extensions.Logging.Abstractions;
using RaftOrleans.Kv;
using RaftOrleans.Raft;
using RaftOrleans.Replica;
using RaftOrleans.Storage;
using RaftOrleans.State;

namespace RaftOrleans.Tests.Simulation;

/// <summary>
/// One cluster member: the product's own <see cref="RaftReplica{TQuery,TResult}"/> (the very class the node grain
/// runs) over the simulation's seams: <see cref="SimulatedNetwork"/> for its calls, an asynchronous
/// <see cref="SimulatedDisk"/>, virtual time and the event queue as its turns. This class only wires the seams,
/// ticks the replica, crashes and restarts it, and reports what the replica does to the
/// <see cref="InvariantChecker"/> (it is the replica's observer). It holds no shell logic of its own.
/// </summary>
internal sealed class SimulatedNode : IReplicaObserver<KvResult>, IReplicaTransport
{
    /// <summary>How long an armed crash waits for the kind of write it targets before it takes any write.</summary>
    private static readonly TimeSpan CrashTargetPatience = 1500.Ms();

    private readonly int _id;
    private readonly SimulationSettings _settings;
    private readonly EventQueue _queue;
    private readonly Random _world;
    private readonly SimulatedNetwork _network;
    private readonly InvariantChecker _checker;
    private readonly SimulationTrace _trace;
    private readonly DurabilityCounters _counters;
    private readonly KvStateMachine _kv;
    // The product's write buffer in front of the engine, with a small limit so that hand-overs and crashes meet often.
    private readonly BufferedKvEngine _buffered;
    private readonly RaftReplica<string, KvResult> _replica;
    private readonly SimulatedSilo _silo;

    private Action<SimulatedNode>? _crashArmed; // see ArmCrashInWrite
    private CrashTarget _crashTarget;
    private int _disarmed; // bumped by Disarm: a strike scheduled before it is void
    private TimeSpan _crashArmedAt;
    private SnapshotInstall? _installing; // accepted, not yet restored
    private ReadState _releasedRead;
    private long _commitSeen;
    // Calls into the replica (proposals, reads, peers' requests) it has not answered yet, by number: what and when.
    private readonly Dictionary<long, (object What, TimeSpan At)> _unanswered = new();
    private long _calls;

    public SimulatedNode(int id, string group, SimulationSettings settings, EventQueue queue, Random world, SimulatedNetwork network,
        InvariantChecker checker, SimulationTrace trace, DurabilityCounters counters, SimulatedSilo silo)
    {
        _silo = silo;
        _id = id;
        _settings = settings;
        _queue = queue;
        _world = world;
        _network = network;
        _checker = checker;
        _trace = trace;
        _counters = counters;
        Disk = new SimulatedDisk(id, silo.Disk, world, queue, settings, checker);
        silo.Host(this);
        Disk.WriteQueued += OnWriteQueued;
        Engine = new SimulatedStateEngine(world);
        _buffered = new BufferedKvEngine(Engine, maxEntries: BufferedKeys);
        _kv = new KvStateMachine(_buffered);
        _replica = new RaftReplica<string, KvResult>(
            settings.ReplicaOptionsFor(id),
            this,
            Disk,
            settings.SkipSnapshotRestore ? new StateMachineThatSkipsInstalls(_kv) : _kv,
            clock: () => queue.Now,
            post: action => queue.After(TimeSpan.Zero, action),
            newRandom: () => new Random(world.Next()),
            NullLogger.Instance,
            observer: this,
            tickDue: WakeBy,
            // The product's own silo heartbeats: told on any "thread", the report reaches the replica on a turn of its own.
            quiescence: new CountedQuiescence(counters, settings.PlantedBugSilenceNeverReported, silo.Heartbeats.Join(group, id, peer => !network.Linked(id, peer),
                (term, peer, silentFor) => queue.After(TimeSpan.Zero, () =>
                {
                    if (settings.PlantedBugSilenceNeverReported) return;
                    if (Raft is { Quiesced: true } raft && raft.Term == term)
                    {
                        if (raft.Role == Role.Leader) _counters.LeadersToldFollowerSilent++;
                        else if (raft.LeaderId == peer) _counters.FollowersToldLeaderSilent++;
                    }
                    _replica!.PeerSilent(term, peer, silentFor);
                }))));
    }

    /// <summary>
    /// The silo's handle, counting the silences a replica found by asking (a peer's pre-vote) before the silo's beat
    /// told it. The planted bug of a silo that never reports a silence hides it from the asking too.
    /// </summary>
    private sealed class CountedQuiescence(DurabilityCounters counters, bool plantedBugSilenceNeverReported, IReplicaQuiescence silo) : IReplicaQuiescence
    {
        public void Quiesced(SoftState state, IReadOnlyCollection<int> followers) => silo.Quiesced(state, followers);

        public void Woke() => silo.Woke();

        public (long Term, TimeSpan For)? Silence(int peer)
        {
            var silent = plantedBugSilenceNeverReported ? null : silo.Silence(peer);
            if (silent is not null) counters.SilencesFoundByAPreVote++;
            return silent;
        }
    }

    /// <summary>Keys the write buffer holds before it hands them on (a few batches' worth).</summary>
    private const int BufferedKeys = 8;

    public int Id => _id;
    public SimulatedDisk Disk { get; }

    /// <summary>The state machine's engine: what of the state survives a crash.</summary>
    public SimulatedStateEngine Engine { get; }
    public RaftNode? Raft => _replica.Core;
    public KvStateMachine? StateMachine => IsUp ? _kv : null;

    /// <summary>Bumped on every crash and restart, so events meant for an earlier life of the node are dropped.</summary>
    public int Incarnation { get; private set; }

    /// <summary>What this life of the node has applied (the core's LastApplied: the replica reports it there).</summary>
    public long Applied => Raft?.LastApplied ?? 0;

    public bool IsUp => _replica.IsUp;

    public int Crashes { get; private set; }

    /// <summary>Raised when this node has just won an election (the fault injector ambushes some new leaders).</summary>
    public event Action<SimulatedNode>? BecameLeader;

    /// <summary>Raised when this node, as leader, has just advanced its commit index.</summary>
    public event Action<SimulatedNode>? LeaderCommitted;

    /// <summary>Starts its silo: this node and the silo's other replicas that are down (first start and every restart).</summary>
    public void Start() => _silo.Start(this);

    /// <summary>Boots from the durable part of the disk alone.</summary>
    public void StartReplica()
    {
        if (IsUp) throw new InvalidOperationException($"node {_id} is already up");
        var restart = Incarnation > 0;
        Incarnation++;
        _wakeAt = TimeSpan.MaxValue; // the last life's timer is void
        var incarnation = Incarnation;
        _trace.Write($"node {_id} starts: term {Disk.Durable.HardState.Term}, vote {Disk.Durable.HardState.VotedFor?.ToString() ?? "-"}, " +
                     $"snapshot to {Disk.Durable.SnapshotIndex}, log to {Disk.Durable.LastIndex}");
        if (restart) _replica.Restart(() => OnStarted(incarnation));
        else
        {
            _replica.Start();
            OnStarted(incarnation);
        }
    }

    private void OnStarted(int incarnation)
    {
        if (incarnation != Incarnation || Raft is not { } raft) return; // a failed start is already recorded
        _commitSeen = raft.CommitIndex;
        _checker.AfterStep(this);
    }

    /// <summary>Crashes its silo: this node and every other replica on it (of the writes in flight, the disk decides).</summary>
    public void Crash()
    {
        if (IsUp) _silo.Crash();
    }

    /// <summary>Loses everything but what the disk made durable.</summary>
    public void CrashReplica()
    {
        if (!IsUp) return;
        if (_installing is not null) _counters.MidInstallCrashes++;
        _installing = null;
        _crashArmed = null;
        Incarnation++;
        Crashes++;
        _replica.Crash();
        var held = _buffered.Held;
        _buffered.Discard(); // the process's memory is gone...
        var lost = Engine.Crash(); // ...and of the engine's writes, what the disk had not synced
        if (lost > 0) _counters.StateWritesLostInCrash++;
        if (held > 0) _counters.HeldStateLostInCrash++;
        _trace.Write($"node {_id} crashes{(_silo.Disk.LastTear is { } tear ? $": {tear}" : "")}" +
                     $"{(lost > 0 ? $", its engine loses {lost} unsynced writes" : "")}{(held > 0 ? $" and {held} keys held in memory" : "")}");
    }

    /// <summary>
    /// Makes this node crash while a coming write is in flight (queued, not yet durable): the disk then keeps
    /// none, some or all of what was in flight. <paramref name="target"/> says which write to wait for: any, one
    /// of several records (so that a tear can keep some and lose others), or the save of an installed snapshot; a
    /// node that meets none of the latter two within <see cref="CrashTargetPatience"/> crashes in the next write.
    /// <paramref name="crashed"/> is told once it has happened (to schedule the restart).
    /// </summary>
    public void ArmCrashInWrite(CrashTarget target, Action<SimulatedNode> crashed)
    {
        if (!IsUp) return;
        _crashArmed = crashed;
        _crashTarget = target;
        _crashArmedAt = _queue.Now;
    }

    /// <summary>No armed crash strikes any more, not even one already on its way (the faults are over).</summary>
    public void Disarm()
    {
        _crashArmed = null;
        _disarmed++;
    }

    private void OnWriteQueued(int records)
    {
        if (_crashArmed is null || records == 0) return;
        var patient = _queue.Now - _crashArmedAt < CrashTargetPatience;
        if (patient && (_crashTarget == CrashTarget.SnapshotInstall || (_crashTarget == CrashTarget.SeveralRecords && records < 2))) return;
        StrikeArmedCrash();
    }

    /// <summary>Strikes before the write just queued can complete: no write takes less than DiskDelayMin.</summary>
    private void StrikeArmedCrash()
    {
        var crashed = _crashArmed!;
        _crashArmed = null;
        var incarnation = Incarnation;
        var disarmed = _disarmed;
        _queue.After(_world.NextTime(TimeSpan.Zero, _settings.DiskDelayMin), () =>
        {
            if (incarnation != Incarnation || disarmed != _disarmed || !IsUp) return;
            Crash();
            crashed(this);
        });
    }

    /// <summary>A client's put or delete, proposed here; <paramref name="answered"/> gets the outcome and, when applied, its log index.</summary>
    public void Propose(byte[] command, Action<ReplicaOutcome<KvResult>, long> answered)
    {
        var once = AnswerOnce("a proposal");
        _replica.Propose(command, outcome =>
        {
            once();
            answered(outcome, Applied);
        });
    }

    /// <summary>A client's get, served here through ReadIndex; <paramref name="answered"/> gets the outcome and the read state it was released with.</summary>
    public void Read(string key, Action<ReplicaOutcome<KvResult>, ReadState> answered)
    {
        var taken = false;
        var once = AnswerOnce($"a read of {key}");
        _replica.Read(key, outcome =>
        {
            once();
            if (taken && outcome.Kind == ReplicaOutcomeKind.NotLeader) _counters.ReadsFailed++; // taken in, then it stopped leading
            answered(outcome, _releasedRead);
        });
        taken = true;
    }

    /// <summary>An operator's request to hand leadership to <paramref name="target"/> (null: the leader picks), made here.</summary>
    public void TransferLeadership(int? target)
    {
        _replica.TransferLeadership(target, result =>
        {
            if (result.Started) _counters.TransfersStarted++;
            _trace.Write($"node {_id} asked to hand leadership to {target?.ToString() ?? "any node"}: " +
                         (result.Started ? $"transferring to node {result.Target}" : $"refused ({result.Refusal})"));
        });
    }

    /// <summary>An operator's membership change, asked of this node (the fault injector's leader).</summary>
    public void ChangeMembership(MembershipChange change)
    {
        var once = AnswerOnce($"a request to {change}");
        _replica.ChangeMembership(change, result =>
        {
            once();
            switch (result.Status)
            {
                case MembershipStatus.Committed: _counters.MembershipChangesCommitted++; break;
                case MembershipStatus.Refused: _counters.MembershipChangesRefused++; break;
            }
            _trace.Write($"node {_id} asked to {change}: {result.Status}" + (result.Reason is { } why ? $" ({why})" : $", now {result.Config}"));
        });
    }

    /// <summary>A request arriving from a peer (the network's delivery): the replica's reply goes back through the network.</summary>
    public void Receive(RaftMessage request, Action<RaftMessage?> answered)
    {
        var once = AnswerOnce(request);
        var writesBefore = Disk.WritesQueued;
        _replica.Receive(request, reply =>
        {
            once();
            if (reply is AppendEntriesReply { Success: true } && Disk.WritesEnded < writesBefore) _counters.AcksAheadOfEarlierWrites++;
            answered(reply);
        });
    }

    /// <summary>
    /// The replica must answer every call exactly once: with a result, a refusal, "down" when it crashes, or no
    /// reply. The clients' and peers' own timeouts would hide a call it dropped, so the count is checked at the end.
    /// </summary>
    private Action AnswerOnce(object what)
    {
        var call = ++_calls;
        _unanswered.Add(call, (what, _queue.Now));
        return () =>
        {
            if (!_unanswered.Remove(call))
                throw new InvariantViolation($"at {_queue.Now.TotalMilliseconds:0.###} ms: node {_id} answered {Describe(what)} twice");
        };
    }

    private static string Describe(object what) => what is RaftMessage message ? SimulationTrace.Describe(message) : what.ToString()!;

    /// <summary>
    /// At the end, with the cluster settled: no call into this replica waits for an answer since more than
    /// <paramref name="patience"/> (the newest ones may still wait for a disk write to be reported).
    /// </summary>
    public void CheckEveryCallAnswered(TimeSpan patience)
    {
        var forgotten = _unanswered.Values.Where(c => _queue.Now - c.At > patience).ToArray();
        if (forgotten.Length == 0) return;
        throw new InvariantViolation($"node {_id} never answered {forgotten.Length} of the calls made to it, " +
                                     $"e.g. {Describe(forgotten[0].What)} made at {forgotten[0].At.TotalMilliseconds:0.###} ms");
    }

    /// <summary>
    /// The host's timer, as the node grain runs it: armed for when the replica says its core next has work
    /// (<see cref="RaftReplica{TQuery,TResult}.NextTickAt"/>), re-armed only for an earlier time, firing a little late
    /// as real timers do. Nothing else ticks the replica, so a turn that failed to say when it is next due would leave
    /// the node asleep, and the run's checks (elections, commits, every call answered) would see it.
    /// </summary>
    private void WakeBy(TimeSpan due)
    {
        if (_replica.PacedChunkDueAt is { } chunk)
        {
            // A chunk that waits for the pace is sent by the timer only: the node must ask to be woken by its time.
            _counters.ChunksWaitingForThePace++;
            if (due > chunk)
                throw new InvariantViolation($"at {_queue.Now.TotalMilliseconds:0.###} ms: node {_id} has a snapshot chunk waiting for the pace " +
                                             $"until {chunk.TotalMilliseconds:0.###} ms but asks to be woken only at {due.TotalMilliseconds:0.###} ms");
        }
        var earliest = _queue.Now + 1.Ms();
        if ((due > earliest ? due : earliest) >= _wakeAt) return;
        var incarnation = Incarnation;
        var at = (due > earliest ? due : earliest) + _world.NextTime(TimeSpan.Zero, 5.Ms());
        _wakeAt = at;
        _queue.After(at - _queue.Now, () =>
        {
            if (incarnation != Incarnation || _wakeAt != at) return; // a timer of an earlier life, or re-armed since
            _wakeAt = TimeSpan.MaxValue;
            _replica.Tick(); // its turn re-arms the timer
        });
    }

    private TimeSpan _wakeAt = TimeSpan.MaxValue; // when the armed timer fires (MaxValue: none)

    // ---- the transport seam ----

    void IReplicaTransport.Call(RaftMessage request, Action<RaftMessage?> answered)
    {
        _checker.OnSending(this, request);
        if (request is AppendEntries { Entries.Length: > 0 } append)
        {
            if (append.Entries[0].Index <= Raft!.SnapshotIndex) _counters.AppendsFromRetainedTail++;
            if (append.Entries[^1].Index > Disk.Durable.LastIndex) _counters.AppendsAheadOfOwnDisk++;
        }
        if (request is InstallSnapshot chunk)
        {
            _counters.SnapshotChunksSent++;
            if (chunk.Offset == 0)
            {
                _counters.SnapshotsSent++;
                if (!chunk.Done) _counters.MultiChunkSnapshots++;
            }
        }
        if (request is TimeoutNow) _counters.TimeoutNowsSent++;
        if (request is RequestVote { PreVote: true })
        {
            var ask = answered;
            answered = reply =>
            {
                if (reply is RequestVoteReply { PreVote: true } answer)
                {
                    if (answer.VoteGranted) _counters.PreVotesGranted++;
                    else _counters.PreVotesRefused++;
                }
                ask(reply);
            };
        }
        _network.Call(this, request, answered);
    }

    // ---- the observer seam: what the replica did, checked as it happens ----

    void IReplicaObserver<KvResult>.Started(AppliedPoint state)
    {
        if (state.Index == 0) return;
        if (Incarnation > 1) _counters.RestartsFromState++;
        if (Incarnation > 1 && state.Index > Disk.Durable.LastIndex) _counters.RestartsWithStateAheadOfLog++;
        _checker.OnRestored(this, $"restarted with its state at {state}");
    }

    void IReplicaObserver<KvResult>.SnapshotAccepted(SnapshotInstall install)
    {
        _checker.BeforeSnapshotInstall(this, install);
        _installing = install;
        if (_crashArmed is not null && _crashTarget == CrashTarget.SnapshotInstall) StrikeArmedCrash();
    }

    void IReplicaObserver<KvResult>.SnapshotRestored(SnapshotInstall install)
    {
        _counters.SnapshotsInstalled++;
        if (_installing is { DiscardLog: true }) _counters.SnapshotsInstalledDiscardingLog++;
        _installing = null;
        _trace.Write($"node {_id} installs snapshot ({install.Index},t{install.Term})");
        _checker.OnRestored(this, "installed its leader's snapshot");
    }

    void IReplicaObserver<KvResult>.Applied(LogEntry entry, KvResult? result)
    {
        var committed = _checker.OnCommitted(this, entry);
        if (result is not null) _checker.OnAnswered(this, committed, result);
        // A batch is applied in one write: the state is the model's as of the batch's last entry.
        if (entry.Index == _kv.Applied.Index) _checker.OnStateAt(this, committed);
    }

    void IReplicaObserver<KvResult>.ReadReleased(ReadState read)
    {
        _releasedRead = read;
        _counters.ReadsAnswered++;
    }

    void IReplicaObserver<KvResult>.SnapshotTaken(AppliedPoint state)
    {
        _checker.OnSnapshotTaken(this, state);
        _counters.Compactions++;
        // The log starts before the catch-up tail: it was kept for a follower being sent a snapshot.
        if (Raft!.FirstLogIndex <= state.Index - _settings.SnapshotCatchUpEntries) _counters.CompactionsKeepingLogForTransfer++;
        _trace.Write($"node {_id} makes its state durable at {state} and compacts its log");
    }

    /// <summary>
    /// The replica stopped itself (the core refused an impossible state, or the disk failed): in the simulation
    /// that is a broken invariant, or a bug, and fails the seed.
    /// </summary>
    void IReplicaObserver<KvResult>.Failed(Exception error) => _checker.RecordFailure(error as InvariantViolation
        ?? new InvariantViolation($"at {_queue.Now.TotalMilliseconds:0.###} ms: node {_id} stopped itself: {error.GetType().Name}: {error.Message}\n{error.StackTrace}"));

    void IReplicaObserver<KvResult>.SoftStateChanged(SoftState state)
    {
        if (_trace.Enabled) _trace.Write($"node {_id} is {state.Role} in term {state.Term} (leader {state.LeaderId?.ToString() ?? "-"}){(state.Quiesced ? ", quiesced" : "")}");
        if (state is { Quiesced: true, Role: Role.Leader }) _counters.LeadersQuiesced++;
    }

    void IReplicaObserver<KvResult>.BatchCarriedOut(Ready ready)
    {
        var raft = Raft!;
        _checker.AfterStep(this);
        if (ready.SoftState is { Role: Role.Leader }) BecameLeader?.Invoke(this);
        if (raft.Role == Role.Leader && raft.CommitIndex > _commitSeen)
        {
            _checker.OnLeaderCommitted(this);
            LeaderCommitted?.Invoke(this);
        }
        _commitSeen = raft.CommitIndex;
    }

    /// <summary>The planted bug of <see cref="SimulationSettings.SkipSnapshotRestore"/>: a leader's snapshot is received and accepted but never takes the state's place.</summary>
    private sealed class StateMachineThatSkipsInstalls(KvStateMachine inner) : IStateMachine<string, KvResult>
    {
        public AppliedPoint Open() => inner.Open();
        public AppliedPoint Applied => inner.Applied;
        public IReadOnlyList<KvResult?> Apply(IReadOnlyList<LogEntry> entries) => inner.Apply(entries);
        public KvResult Query(string query) => inner.Query(query);
        public void MakeDurable() => inner.MakeDurable();
        public IStateSnapshot TakeSnapshot() => inner.TakeSnapshot();
        public IStateInstall BeginInstall(long index, long term) => new SkippedInstall(inner.BeginInstall(index, term));
        public string Fingerprint => inner.Fingerprint;
        public long Count => inner.Count;
        public ClusterConfig? Configuration => inner.Configuration;

        private sealed class SkippedInstall(IStateInstall received) : IStateInstall
        {
            public void Write(ReadOnlySpan<byte> chunk) => received.Write(chunk);
            public void Commit() { }
            public void Dispose() => received.Dispose();
        }
    }
}

/// <summary>Which write an armed crash waits for (see <see cref="SimulatedNode.ArmCrashInWrite"/>).</summary>
internal enum CrashTarget
{
    AnyPersist,
    SeveralRecords,
    SnapshotInstall,
}
