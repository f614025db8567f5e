using System.Diagnostics;
using Microsoft.Extensions.Logging;
using RaftOrleans.Raft;
using RaftOrleans.Status;
using RaftOrleans.Storage;

namespace RaftOrleans.Replica;

/// <summary>
/// One Raft node's whole life, free of Orleans: the core (<see cref="RaftNode"/>), the storage pipeline, the
/// state machine, the client requests waiting on it, snapshots sent and received in chunks, and its status.
/// All of its I/O goes through seams: a transport to its peers, an asynchronous disk, a clock, and "run this
/// later on my own turn". The node grain adapts it to Orleans; the simulation drives this very class with a
/// simulated network, disk and virtual time.
/// <para>
/// Single-threaded: every method, and every callback the seams run, must be called on the replica's own turn
/// (the grain's activation, or the simulation's one thread). It never blocks and never awaits; it keeps no
/// protocol state across a callback but asks the core again.
/// </para>
/// <para>
/// Each input to the core produces a batch (<see cref="Ready"/>), carried out in this order: its writes are
/// queued to the disk; its messages are sent and its reply returned once those writes and every write queued
/// before them are durable; then, in the order the batches were produced, its snapshot is restored, its
/// committed entries applied and its waiting clients answered. A leader's batch of appends
/// (<see cref="Ready.MessagesMayPrecedePersist"/>) is sent at once and carried out without waiting for its own
/// write: its followers get its entries while its own disk is still writing them, and the core counts the
/// leader toward a commit only as far as its disk has reported (StableTo), so whatever it applies is durable on
/// a majority already. To anyone else, the node behaves as if every write had blocked.
/// </para>
/// </summary>
public sealed class RaftReplica<TQuery, TResult>
{
    private const int ElectionsKept = 5;

    private readonly ReplicaOptions _options;
    private readonly IReplicaTransport _transport;
    private readonly IReplicaStorage _storage;
    private readonly IStateMachine<TQuery, TResult> _stateMachine;
    private readonly Func<TimeSpan> _clock;
    private TimeSpan _askedCompactionAt = TimeSpan.MinValue / 2; // see AskedToCompact
    private readonly Action<Action> _post;
    private readonly Func<Random> _newRandom;
    private readonly IReplicaObserver<TResult> _observer;
    private readonly Action<TimeSpan>? _tickDue; // after each turn: when Tick is next needed (see NextTickAt)
    private readonly IReplicaQuiescence _quiescence;
    private readonly ILogger _logger;

    private readonly Queue<Batch> _outbox = new(); // batches produced but not yet carried out, oldest first
    private readonly Dictionary<long, WaitingProposal> _proposals = new(); // by log index
    private readonly Dictionary<long, WaitingChange> _changes = new(); // membership changes, by log index
    private readonly Dictionary<long, WaitingRead> _reads = new(); // by read id
    private readonly SnapshotSender _snapshotSender;
    private readonly List<ElectionSummary> _electionsWon = new();

    private RaftNode? _core; // null while down
    private int _incarnation; // bumped by every crash: callbacks of an earlier life are ignored
    private TimeSpan _lastTick;
    private SoftState _softState;
    private long _lastReadId;
    private long _writesQueued; // writes handed to the disk, numbered in order...
    private long _writesDurable; // ...and the last of them known durable (the disk makes them durable in that order)
    private long _hardStateWrite; // the latest write that carries a term or vote
    private bool _flushScheduled;
    private bool _draining;
    private bool _diskIdle = true; // no write of an earlier life is still under way
    private bool _stopped; // the host went away: never start again
    private readonly List<Action> _whenDiskIdle = new(); // restarts and stops waiting for that
    private IStateSnapshot? _view; // the state as of the core's snapshot index: what this node sends to a follower
    private SnapshotAssembly? _incoming; // chunks received so far from a leader
    private long _newestInstall; // the index of the last snapshot the state machine took (see Restored)

    public RaftReplica(
        ReplicaOptions options,
        IReplicaTransport transport,
        IReplicaStorage storage,
        IStateMachine<TQuery, TResult> stateMachine,
        Func<TimeSpan> clock,
        Action<Action> post,
        Func<Random> newRandom,
        ILogger logger,
        IReplicaObserver<TResult>? observer = null,
        Action<TimeSpan>? tickDue = null,
        IReplicaQuiescence? quiescence = null)
    {
        options.Raft.Validate();
        _options = options;
        _transport = transport;
        _storage = storage;
        _stateMachine = stateMachine;
        _clock = clock;
        _post = post;
        _newRandom = newRandom;
        _logger = logger;
        _observer = observer ?? NoReplicaObserver<TResult>.Instance;
        _tickDue = tickDue;
        _quiescence = quiescence ?? NoQuiescence.Instance;
        var pace = new SnapshotPace(options.SnapshotSendBytesPerSecond, options.SnapshotChunkBytes, options.Raft.SnapshotRetryInterval, clock);
        _snapshotSender = new SnapshotSender(transport, pace,
            readFailed: (follower, error) => ReplicaLog.SnapshotReadFailed(_logger, Id, follower, error), timed: WarnIfSlow);
    }

    public int Id => _options.Raft.NodeId;

    public bool IsUp => _core is not null;

    /// <summary>The running core, for status and for the simulation's checks; null while down. Never step it from outside.</summary>
    public RaftNode? Core => _core;

    // ---- life ----

    /// <summary>Starts the node from its disk. Once only; after a crash use <see cref="Restart"/>.</summary>
    public void Start()
    {
        if (_core is not null || !_diskIdle) throw new InvalidOperationException($"node {Id} is already running");
        StartCore();
    }

    /// <summary>
    /// Fault injection: the node stops at once and forgets everything that is not durable. Its waiting clients
    /// learn it is down (everything it acknowledged is durable already); calls it was answering get no answer.
    /// </summary>
    public void Crash()
    {
        if (_core is null) return;
        ReplicaLog.Crashed(_logger, Id);
        Fence();
    }

    /// <summary>
    /// Brings a crashed node back from its disk once the disk has finished what was under way; <paramref name="started"/>
    /// then runs (also when the node could not start: it stays down, and the failure is logged).
    /// </summary>
    public void Restart(Action? started = null)
    {
        WhenDiskIdle(() =>
        {
            try
            {
                if (_core is null && !_stopped) StartCore();
            }
            catch (Exception error)
            {
                ReplicaLog.StartFailed(_logger, Id, error);
                _observer.Failed(error);
            }
            started?.Invoke();
        });
    }

    /// <summary>
    /// Stops for good (the host goes away): like a crash, and a restart still waiting for the disk will not start
    /// it; <paramref name="stopped"/> runs once the disk is idle.
    /// </summary>
    public void Stop(Action stopped)
    {
        _stopped = true;
        if (_core is not null) Fence();
        WhenDiskIdle(stopped);
    }

    private void WhenDiskIdle(Action action)
    {
        _whenDiskIdle.Add(action);
        if (_diskIdle) RunWhenDiskIdle();
    }

    private void RunWhenDiskIdle()
    {
        var waiting = _whenDiskIdle.ToArray();
        _whenDiskIdle.Clear();
        foreach (var next in waiting) next();
    }

    /// <summary>
    /// A (re)start: the state machine opens as its engine kept it, applied up to some entry A, and the log is read
    /// back. The log was compacted only up to what the engine had made durable, so it starts at or before A; the
    /// entries up to A are in the state already and only those after it are replayed (the core starts as if it had
    /// a snapshot at A). The engine may be ahead of the log on disk (a leader applies entries a majority holds
    /// before its own disk has them); then, as with an installed snapshot (Figure 13), the log is kept after A only
    /// if it agrees with A, and the disk's log is made to start at A.
    /// </summary>
    private void StartCore()
    {
        _incarnation++; // nothing of an earlier life (an answer to its calls, a completion) reaches this one
        _outbox.Clear();
        DropSnapshots();
        var persisted = _storage.Load();
        var state = _stateMachine.Open();
        StateLogCheck.Verify(Id, state, persisted.Snapshot);
        var logStart = persisted.Snapshot ?? new StoredSnapshot(0, 0);
        var log = persisted.Log;
        var agrees = true;
        if (state.Index > logStart.Index)
        {
            agrees = log.FirstOrDefault(e => e.Index == state.Index) is { } atState && atState.Term == state.Term;
            log = agrees ? log.Where(e => e.Index > state.Index).ToArray() : Array.Empty<LogEntry>();
        }
        var core = new RaftNode(_options.Raft, persisted.HardState, state.Index, state.Term, log, _newRandom(), _stateMachine.Configuration);
        _writesDurable = _writesQueued; // the disk finished or dropped whatever an earlier life queued
        _lastTick = _clock();
        _softState = new SoftState(core.Role, core.LeaderId, core.Term);
        _view = _stateMachine.TakeSnapshot();
        if (state.Index > logStart.Index)
        {
            _stateMachine.MakeDurable(); // the disk's log may forget what the engine holds only once the engine holds it for good
            QueueSnapshot(new StoredSnapshot(state.Index, state.Term), discardLog: !agrees, stable: false); // completes on a later turn
        }
        _core = core; // up only once everything above succeeded
        _observer.Started(state);
        if (NextTickAt is { } due) _tickDue?.Invoke(due); // a fresh core: its election timer runs from now
        ReplicaLog.Started(_logger, Id, persisted.HardState.Term, state, core.LastLogIndex - state.Index);
    }

    /// <summary>Ends the transfers of this node's snapshot and forgets a snapshot being received.</summary>
    private void DropSnapshots()
    {
        _snapshotSender.Clear();
        _view?.Dispose();
        _view = null;
        DropIncoming();
    }

    /// <summary>
    /// Ends this life: no more inputs, answers to its outstanding calls are ignored (the incarnation moved on),
    /// writes the disk has not started are dropped (nothing was sent or applied for them), and whoever waits on
    /// it learns it is down.
    /// </summary>
    private void Fence()
    {
        _core = null;
        _quiescence.Woke();
        _incarnation++;
        _flushScheduled = false;
        _diskIdle = false;
        var incarnation = _incarnation;
        _storage.Stop(() =>
        {
            if (incarnation != _incarnation) return;
            _diskIdle = true;
            RunWhenDiskIdle();
        });
        foreach (var proposal in _proposals.Values) proposal.Answered(ReplicaOutcome<TResult>.Down);
        _proposals.Clear();
        foreach (var change in _changes.Values) change.Answered(change.Appended.AsUnknown($"node {Id} went down before the change committed; it may still take effect"));
        _changes.Clear();
        foreach (var read in _reads.Values) read.Answered(ReplicaOutcome<TResult>.Down);
        _reads.Clear();
        foreach (var batch in _outbox) batch.Answer?.Invoke(null);
        _outbox.Clear();
        DropSnapshots();
    }

    /// <summary>A batch could not be carried out (the core found an impossible state, or the disk failed): stop as a crash would.</summary>
    private void Fail(Exception error)
    {
        ReplicaLog.BatchFailed(_logger, Id, error);
        if (_core is not null) Fence(); // else it is down already (a second failure while stopping): only say so
        _observer.Failed(error);
    }

    // ---- inputs ----

    /// <summary>The host's timer: time passes (elections, heartbeats), and whatever is pending goes out.</summary>
    public void Tick() => Input(core =>
    {
        _snapshotSender.SendDue();
        // A replica that writes little compacts when its storage asks (no batch of its own would get it to).
        if (_outbox.Count == 0) MaybeSnapshot(core);
    });

    /// <summary>
    /// A request from a peer (RequestVote, AppendEntries, a chunk of InstallSnapshot). <paramref name="answered"/>
    /// gets the core's reply once it may leave (what it depends on is durable), or null if the node is down or
    /// wrote none.
    /// </summary>
    public void Receive(RaftMessage request, Action<RaftMessage?> answered)
    {
        if (request is InstallSnapshot chunk && _core is { } core) request = ReceiveChunk(core, chunk);
        // A pre-vote reaching a quiesced follower: its silo may have seen the leader's silo fall silent since its last
        // beat (the candidate's silo noticed first). Heard now, this node answers as one that no longer hears a leader;
        // else the candidate is refused and waits a whole election timeout more.
        if (request is RequestVote { PreVote: true } && _core is { Quiesced: true, Role: Role.Follower, LeaderId: { } leader }
            && _quiescence.Silence(leader) is { } silent)
        {
            PeerSilent(silent.Term, leader, silent.For); // the term the silo watched in: the core ignores a stale one
        }
        Input(core => core.Step(request), answered);
        // A whole snapshot the core did not take (it came from an older term): nothing will install it.
        if (_incoming is { Complete: true }) DropIncoming();
        // A quiesced follower hears its leader: the silo's watch of that leader counts from now.
        if (request is AppendEntries && _core is { Quiesced: true, Role: Role.Follower } follower)
            _quiescence.Quiesced(new SoftState(follower.Role, follower.LeaderId, follower.Term, Quiesced: true), []);
    }

    /// <summary>
    /// The silo saw no beat from <paramref name="peer"/>'s silo for <paramref name="silentFor"/> while this replica was
    /// quiesced in <paramref name="term"/> (<see cref="SiloHeartbeats"/>): a follower's election timer runs again, from
    /// that long ago; a leader wakes (<see cref="RaftNode.PeerSilent"/>).
    /// </summary>
    public void PeerSilent(long term, int peer, TimeSpan silentFor) => Input(core => core.PeerSilent(term, peer, silentFor));

    /// <summary>
    /// A client command. A leader appends it and answers once it is committed and applied here (with the state
    /// machine's result); anyone else answers NotLeader at once, naming the leader it knows.
    /// <paramref name="moreFollow"/>: the host hands over more requests on this same turn (a gateway's batch), so this
    /// one waits for them rather than go out alone (see <see cref="Flush"/>).
    /// </summary>
    public void Propose(byte[] command, Action<ReplicaOutcome<TResult>> answered, bool moreFollow = false)
    {
        if (RunningCore() is not { } core)
        {
            answered(ReplicaOutcome<TResult>.Down);
            return;
        }
        var proposal = core.Propose(command);
        if (!proposal.Accepted)
        {
            answered(ReplicaOutcome<TResult>.NotLeader(proposal.LeaderHint));
            Input(static _ => { }); // the time just fed may have started a campaign: carry it out now, not next tick
            return;
        }
        _proposals.Add(proposal.Index, new WaitingProposal(proposal.Term, answered));
        Flush(moreFollow);
    }

    /// <summary>
    /// Hands leadership over (<see cref="RaftNode.TransferLeadership"/>): answers at once whether a transfer started;
    /// its outcome shows as a new leader within an election timeout, or as none (this node leads on).
    /// </summary>
    public void TransferLeadership(int? target, Action<TransferResult> answered)
    {
        TransferResult? result = null;
        Input(core => result = core.TransferLeadership(target));
        answered(result ?? TransferResult.Refused($"node {Id} is down"));
    }

    /// <summary>
    /// A membership change (<see cref="RaftNode.ChangeMembership"/>). A leader appends it and answers once it is
    /// committed; a refusal, or NotLeader, comes at once; Unknown if this node loses its leadership (or goes down) first.
    /// </summary>
    public void ChangeMembership(MembershipChange change, Action<MembershipResult> answered)
    {
        if (RunningCore() is not { } core)
        {
            answered(MembershipResult.Refused($"node {Id} is down"));
            return;
        }
        var result = core.ChangeMembership(change);
        if (!result.Accepted)
        {
            answered(result);
            return;
        }
        ReplicaLog.MembershipChangeAppended(_logger, Id, change.ToString(), result.Index, result.Config!.ToString());
        _changes.Add(result.Index, new WaitingChange(result, answered));
        Flush(moreFollow: false);
    }

    /// <summary>
    /// A read, not through the log: the core confirms this node still leads (one heartbeat round shared by every
    /// read waiting at that moment) and the state machine has applied everything committed when it arrived.
    /// <paramref name="moreFollow"/> as in <see cref="Propose"/>.
    /// </summary>
    public void Read(TQuery query, Action<ReplicaOutcome<TResult>> answered, bool moreFollow = false)
    {
        if (RunningCore() is not { } core)
        {
            answered(ReplicaOutcome<TResult>.Down);
            return;
        }
        var id = ++_lastReadId;
        if (!core.ReadIndex(id))
        {
            answered(ReplicaOutcome<TResult>.NotLeader(core.LeaderId));
            Input(static _ => { }); // as in Propose
            return;
        }
        _reads[id] = new WaitingRead(query, answered);
        Flush(moreFollow);
    }

    /// <summary>
    /// Batching. Under load a request does not go out on its own: the first one posts a flush behind the
    /// requests already queued on this turn, so all of them share one batch: one write (which the disk merges
    /// with whatever else waits into one flush), one AppendEntries per follower, and for reads one heartbeat
    /// round. A request that finds nothing else under way goes out at once: a lone client would gain nothing
    /// from waiting a turn of the scheduler; unless the host said more follow on this turn (with appends one at a
    /// time, the first of a batch sent alone would make the rest wait for its round trip).
    /// </summary>
    private void Flush(bool moreFollow)
    {
        if (_flushScheduled) return;
        if (!moreFollow && _proposals.Count + _reads.Count <= 1 && _outbox.Count == 0)
        {
            Input(static _ => { });
            return;
        }
        _flushScheduled = true;
        var incarnation = _incarnation;
        _post(() =>
        {
            if (incarnation != _incarnation) return; // a crash in between cleared the flag
            _flushScheduled = false;
            Input(static _ => { });
        });
    }

    /// <summary>
    /// The running core, its clock brought up to now first: time is fed before every input, not only on the
    /// timer, so the core's timestamps (election durations, last contact) are as exact as the clock. The host's clock
    /// leaves out the time its whole process stalled (the silo's <c>SiloClock</c>), so a stall is not fed as time passed.
    /// </summary>
    private RaftNode? RunningCore()
    {
        if (_core is not { } core) return null;
        var now = _clock();
        if (now > _lastTick)
        {
            core.Tick(now - _lastTick);
            _lastTick = now;
        }
        return core;
    }

    /// <summary>When a snapshot chunk that waits for the pace may go (null: none waits); for the simulation's checks.</summary>
    internal TimeSpan? PacedChunkDueAt => _snapshotSender.NextDueAt;

    /// <summary>
    /// When, on the host's clock, <see cref="Tick"/> next has work to do (see <see cref="RaftNode.UntilNextTimer"/>);
    /// null while the node is down (a restart tells the host again). A host may sleep until then: ticking earlier only
    /// moves the clock.
    /// </summary>
    public TimeSpan? NextTickAt
    {
        get
        {
            if (_core is not { } core) return null;
            var wait = core.UntilNextTimer;
            var due = wait == TimeSpan.MaxValue ? TimeSpan.MaxValue : _lastTick + wait;
            return _snapshotSender.NextDueAt is { } chunk && chunk < due ? chunk : due; // a chunk waiting for the pace
        }
    }

    /// <summary>Feeds one input to the core and takes the batch it produced. Anything thrown stops the node (see <see cref="Fail"/>).</summary>
    private void Input(Action<RaftNode> input, Action<RaftMessage?>? answer = null)
    {
        using var turn = OnTurn();
        answer = AtMostOnce(answer);
        if (RunningCore() is not { } core)
        {
            answer?.Invoke(null);
            return;
        }
        try
        {
            input(core);
            var ready = core.TakeReady();
            if (ready.IsEmpty && answer is null)
            {
                Drain();
                return;
            }
            var batch = new Batch(ready, answer);
            StartWrites(batch);
            if (_core is null) // a seam reported a failure at once, and the node stopped: nothing of this batch goes out
            {
                answer?.Invoke(null);
                return;
            }
            // In the outbox before anything is sent: should an answer come back inside the send (a transport that breaks
            // its contract and answers at once), the input it feeds must find this batch ahead of its own. Once sent
            // this way, a batch may even be carried out by that inner input, in its turn.
            _outbox.Enqueue(batch);
            if (MaySendNow(ready) || _options.PlantedBugSendBeforeDurable) Send(batch);
            Drain();
        }
        catch (Exception error)
        {
            answer?.Invoke(null); // unless the batch already answered it
            Fail(error);
        }
    }

    /// <summary>
    /// Whether the batch's messages and answer may leave before the writes queued so far are durable: when the core says
    /// so (<see cref="Ready.MessagesMayPrecedePersist"/>) and the node's term and vote are on the disk (Figure 2: stable
    /// before any RPC is answered). The core cannot tell the latter: it hears of its log's writes, not of its term's.
    /// A leader's always are (it asked for votes only once they were); a follower's may still be on their way.
    /// </summary>
    private bool MaySendNow(Ready ready) => ready.MessagesMayPrecedePersist && _hardStateWrite <= _writesDurable;

    private static Action<RaftMessage?>? AtMostOnce(Action<RaftMessage?>? answer)
    {
        if (answer is null) return null;
        var answered = false;
        return reply =>
        {
            if (answered) return;
            answered = true;
            answer(reply);
        };
    }

    // ---- the storage pipeline ----

    /// <summary>
    /// Queues the batch's writes (an accepted snapshot first, then hard state and entries). The batch may be
    /// carried out once they and every write queued before them are durable: a reply must not vouch for an
    /// entry an earlier batch (say, of this node's time as leader, sent early) still has in flight.
    /// </summary>
    private void StartWrites(Batch batch)
    {
        var ready = batch.Ready;
        if (ready.Snapshot is { } install)
        {
            InstallSnapshot(install);
            QueueSnapshot(new StoredSnapshot(install.Index, install.Term), install.DiscardLog, stable: true);
        }
        if (ready.HardState is not null || ready.EntriesToPersist.Count > 0)
        {
            var last = ready.EntriesToPersist.Count > 0 ? ready.EntriesToPersist[^1] : null;
            var incarnation = _incarnation;
            var sequence = ++_writesQueued;
            if (ready.HardState is not null) _hardStateWrite = sequence;
            _storage.Persist(ready.HardState, ready.EntriesToPersist,
                error => Written(incarnation, sequence, error, last?.Index ?? 0, last?.Term ?? 0));
        }
        batch.DurableAt = _writesQueued;
    }

    /// <summary>Queues the log's new start behind every write so far; <paramref name="stable"/>: report its index durable once saved.</summary>
    private void QueueSnapshot(StoredSnapshot snapshot, bool discardLog, bool stable)
    {
        var incarnation = _incarnation;
        var sequence = ++_writesQueued;
        _storage.SaveSnapshot(snapshot, discardLog,
            error => Written(incarnation, sequence, error, stable ? snapshot.Index : 0, stable ? snapshot.Term : 0));
    }

    /// <summary>A write is durable (or failed): tell the core what its disk now holds, and carry out what may go.</summary>
    private void Written(int incarnation, long sequence, Exception? error, long stableIndex, long stableTerm)
    {
        if (incarnation != _incarnation || _core is null) return;
        if (error is not null)
        {
            Fail(error);
            return;
        }
        // Writes complete in order on the disk, but their completions may reach this turn out of order (each is
        // its own continuation): a completion of write n means every write before n is durable too.
        if (sequence > _writesDurable) _writesDurable = sequence;
        if (stableIndex > 0) Input(core => core.StableTo(stableIndex, stableTerm)); // a leader may commit now
        else Drain();
    }

    /// <summary>Carries out waiting batches in order, each once its writes (and all before them) are durable, or its messages already left.</summary>
    private void Drain()
    {
        using var turn = OnTurn();
        if (_draining) return; // a batch being carried out fed an input: the loop below picks its batch up
        _draining = true;
        Batch? current = null;
        try
        {
            // A batch already sent is a leader's: it is carried out (applied, answered) without waiting for its own
            // write, which is safe because the core counts this node toward a commit only as far as its disk
            // reported durable (StableTo): what it applies is durable on a majority already.
            while (_core is { } core && _outbox.TryPeek(out var next) && (next.Sent || next.DurableAt <= _writesDurable))
            {
                current = _outbox.Dequeue();
                CarryOut(core, current);
                current = null;
            }
        }
        catch (Exception error)
        {
            current?.Answer?.Invoke(null); // off the outbox already, so the fence would not answer it (at most once anyway)
            Fail(error); // as in Input: a batch that cannot be carried out stops the node
        }
        finally
        {
            _draining = false;
        }
    }

    /// <summary>Send (unless already sent), then restore, apply, answer.</summary>
    private void CarryOut(RaftNode core, Batch batch)
    {
        var ready = batch.Ready;
        if (!batch.Sent) Send(batch);
        if (ready.Snapshot is { } install) Restored(core, install);
        Apply(core, ready.CommittedEntries);
        AnswerReads(core, ready);
        if (ready.SoftState is { } softState) ObserveSoftState(core, softState);
        MaybeSnapshot(core);
        _observer.BatchCarriedOut(ready);
    }

    /// <summary>Sends the batch's requests and returns its reply to the caller it answers.</summary>
    private void Send(Batch batch)
    {
        batch.Sent = true;
        var ready = batch.Ready;
        foreach (var message in ready.Messages)
        {
            if (message is InstallSnapshot request) StartSnapshotTransfer(request);
            else Call(message);
        }
        if (ready.Replies.Count > 1)
            throw new InvalidOperationException($"node {Id}: one input produced {ready.Replies.Count} replies");
        batch.Answer?.Invoke(ready.Replies.Count == 1 ? ready.Replies[0] : null);
    }

    private void Call(RaftMessage request)
    {
        var incarnation = _incarnation;
        if (_logger.IsEnabled(LogLevel.Debug)) ReplicaLog.Sending(_logger, Id, request);
        _transport.Call(request, reply =>
        {
            // The world may have changed while the call was out: ask the core afresh, and only if this life goes on.
            if (reply is not null && incarnation == _incarnation) Input(core => core.Step(reply));
        });
    }

    // ---- applying and answering ----

    /// <summary>
    /// Applies a batch's committed entries in one state-machine write, then answers their proposals. Entries an
    /// installed snapshot already holds are not applied again: the state is replaced as soon as the snapshot is
    /// accepted (see <see cref="InstallSnapshot"/>), ahead of batches produced before it.
    /// </summary>
    private void Apply(RaftNode core, List<LogEntry> committed)
    {
        if (committed.Count == 0) return;
        var applied = _stateMachine.Applied.Index; // (the state machine refuses a gap: a batch that overtook another)
        var first = committed.FindIndex(e => e.Index > applied);
        var fresh = first < 0 ? Array.Empty<LogEntry>() : (IReadOnlyList<LogEntry>)committed.GetRange(first, committed.Count - first);
        var results = _stateMachine.Apply(fresh);
        for (var i = 0; i < committed.Count; i++)
        {
            var entry = committed[i];
            var result = first >= 0 && i >= first ? results[i - first] : default;
            core.AppliedTo(entry.Index);
            _observer.Applied(entry, result);
            if (_logger.IsEnabled(LogLevel.Debug)) ReplicaLog.Applied(_logger, Id, entry.Index, entry.Term);
            if (entry.IsConfig) ReplicaLog.ConfigurationCommitted(_logger, Id, entry.Index, ClusterConfig.Decode(entry.Data).ToString());
            AnswerChange(entry);
            if (!_proposals.Remove(entry.Index, out var proposal)) continue;
            // Another term at our index means a new leader replaced our entry: the request was lost, and the
            // client resends it under the same id (so it still takes effect at most once).
            proposal.Answered(proposal.Term == entry.Term && result is not null
                ? ReplicaOutcome<TResult>.Done(result)
                : ReplicaOutcome<TResult>.NotLeader(core.LeaderId));
        }
    }

    /// <summary>Answers the reads the core confirmed, from the state just brought up to their read index.</summary>
    private void AnswerReads(RaftNode core, Ready ready)
    {
        foreach (var read in ready.ReadStates)
        {
            if (!_reads.Remove(read.RequestId, out var waiting)) continue;
            _observer.ReadReleased(read);
            waiting.Answered(ReplicaOutcome<TResult>.Done(_stateMachine.Query(waiting.Query)));
        }
        foreach (var id in ready.FailedReads)
        {
            if (_reads.Remove(id, out var waiting)) waiting.Answered(ReplicaOutcome<TResult>.NotLeader(core.LeaderId));
        }
    }

    /// <summary>Logs elections and leader changes, and settles the proposals a leader can no longer vouch for.</summary>
    private void ObserveSoftState(RaftNode core, SoftState now)
    {
        var before = _softState;
        _softState = now;
        _observer.SoftStateChanged(now);
        if (now.Quiesced) _quiescence.Quiesced(now, core.Followers.Keys.ToArray());
        else _quiescence.Woke();
        if (now.Role == Role.Leader && before.Role != Role.Leader && core.LastElection is { } won && won.Term == now.Term)
        {
            // Wall-clock time for people reading `status`; nothing decides by it.
            _electionsWon.Add(new ElectionSummary(won.Term, won.Leader, DateTimeOffset.UtcNow,
                won.Duration.TotalMilliseconds, won.Voters.ToArray()));
            if (_electionsWon.Count > ElectionsKept) _electionsWon.RemoveAt(0);
            ReplicaLog.Elected(_logger, Id, won.Term, string.Join(",", won.Voters), won.Duration.TotalMilliseconds);
        }
        else if (before.Role == Role.Leader && now.Role != Role.Leader) ReplicaLog.SteppedDown(_logger, Id, now.Term);
        else if (now.Role == Role.Candidate) ReplicaLog.Campaigning(_logger, Id, now.Term, before.LeaderId);
        else if (now.Role == Role.PreCandidate && before.Role != Role.PreCandidate) ReplicaLog.PreCampaigning(_logger, Id, now.Term + 1, before.LeaderId);
        else if (before.LeaderId != now.LeaderId && now.LeaderId is { } leader) ReplicaLog.Following(_logger, Id, leader, now.Term);

        // A proposal appended in term T is vouched for only by the leader of T. Those entries may still commit;
        // the client's resend (same client id and sequence) then gets the recorded answer, not a second application.
        foreach (var (index, proposal) in _proposals.Where(p => now.Role != Role.Leader || p.Value.Term != now.Term).ToArray())
        {
            _proposals.Remove(index);
            proposal.Answered(ReplicaOutcome<TResult>.NotLeader(now.LeaderId));
        }
        // A change committed in this batch was answered when applied (Apply runs first: a leader that removed itself
        // steps down in the batch that commits its removal); any other is no longer this node's to vouch for.
        foreach (var (index, change) in _changes.Where(c => now.Role != Role.Leader || c.Value.Appended.Term != now.Term).ToArray())
        {
            _changes.Remove(index);
            change.Answered(change.Appended.AsUnknown($"node {Id} lost its leadership before the change committed; it may still take effect (see `client member list`)"));
        }
    }

    /// <summary>An entry was applied where this node appended a membership change: done, or replaced by another leader's entry.</summary>
    private void AnswerChange(LogEntry entry)
    {
        if (!_changes.Remove(entry.Index, out var change)) return;
        change.Answered(entry.IsConfig && change.Appended.Term == entry.Term
            ? change.Appended.AsCommitted()
            : MembershipResult.Refused($"lost: a new leader replaced the change at index {entry.Index} before it committed; nothing changed by it"));
    }

    // ---- snapshots ----

    /// <summary>
    /// Compacts the log once the state machine has applied <c>SnapshotThreshold</c> entries past the last
    /// compaction (or anything past it, when the storage asks: <see cref="IReplicaStorage.CompactionWanted"/>), at the index it has applied (the core's LastApplied is what this replica reported, never more):
    /// the engine makes its state durable there (one sync: the state already is in the engine, so this costs the
    /// same at any size of the store), a view of it is kept to send to followers, and the log's new start is queued
    /// behind every write so far. Compacting the in-memory log at once is safe: a crash before that write is
    /// durable restarts from the engine's state and the log on disk, which still covers it.
    /// </summary>
    private void MaybeSnapshot(RaftNode core)
    {
        var due = _options.SnapshotThreshold is { } threshold && core.LastApplied - core.SnapshotIndex >= threshold;
        if (!due && !AskedToCompact(core)) return;
        var index = core.LastApplied;
        var term = core.TermAt(index)
            ?? throw new InvalidOperationException($"node {Id}: applied entry {index} is not in the log");
        var state = _stateMachine.Applied;
        if (state != new AppliedPoint(index, term))
            throw new InvalidOperationException($"node {Id}: the core applied up to ({index},t{term}) but the state machine up to {state}");
        var started = Stopwatch.GetTimestamp();
        _stateMachine.MakeDurable();
        WarnIfSlow("syncing its state engine", started);
        ReplaceView(_stateMachine.TakeSnapshot());
        QueueSnapshot(new StoredSnapshot(index, term), discardLog: false, stable: false);
        core.Compact(index, KeepEntries(index));
        _observer.SnapshotTaken(state);
        ReplicaLog.SnapshotTaken(_logger, Id, index);
    }

    /// <summary>
    /// How many entries before a compaction at <paramref name="index"/> the log keeps in memory: the catch-up tail,
    /// and back to the oldest snapshot being sent, so that its follower goes on from the log once it has installed
    /// it. Without that, a follower whose transfer outlasted the catch-up tail's worth of writes (a few seconds under
    /// load) was sent the whole state again at once, and again, while the leader served at half its speed (seen
    /// in issue 10's catch-up test: six full transfers in a row of a 3 M-key state). At most
    /// <see cref="ReplicaOptions.TransferTailEntries"/>: a transfer slower than that still ends in a newer one.
    /// </summary>
    private int KeepEntries(long index)
    {
        var keep = _options.SnapshotCatchUpEntries;
        if (_snapshotSender.OldestIndexInTransfer is { } sending && index - sending > keep)
            keep = (int)Math.Min(index - sending, Math.Max(keep, _options.TransferTailEntries));
        return keep;
    }

    /// <summary>The storage asks for a compaction, there is something to compact, and the last one it asked for was a while ago.</summary>
    private bool AskedToCompact(RaftNode core)
    {
        if (core.LastApplied <= core.SnapshotIndex) return false;
        var now = _clock();
        if (now - _askedCompactionAt < _options.AskedCompactionInterval || !_storage.CompactionWanted) return false;
        _askedCompactionAt = now;
        return true;
    }

    /// <summary>The view to send from now on. Transfers of the one it replaces run to their end (the engine keeps it for them).</summary>
    private void ReplaceView(IStateSnapshot view)
    {
        _view?.Dispose();
        _view = view;
    }

    /// <summary>
    /// Adds a chunk to the snapshot being received. The core sees every chunk (each one is word from the
    /// leader), but a last chunk counts as "done" only if all the chunks before it arrived in order. A new
    /// transfer (offset 0) replaces the one in progress unless it comes from an older term; a chunk that does not
    /// continue the current transfer is ignored, not allowed to wreck it.
    /// </summary>
    private InstallSnapshot ReceiveChunk(RaftNode core, InstallSnapshot chunk)
    {
        if (_incoming is { } older && older.Index <= core.CommitIndex) DropIncoming(); // this node has committed past it
        if (chunk.LastIncludedIndex <= core.CommitIndex) return chunk; // the core answers that it needs none of it
        try
        {
            if (chunk.Offset == 0 && (_incoming is null || chunk.Term >= _incoming.Term))
            {
                DropIncoming();
                _incoming = SnapshotAssembly.Start(chunk, _stateMachine);
            }
            var started = Stopwatch.GetTimestamp();
            var taken = _incoming is not null && _incoming.TryAdd(chunk);
            WarnIfSlow("taking a snapshot chunk", started);
            return taken ? chunk : chunk with { Done = false };
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            // The engine could not stage it (say, a full disk): this transfer is lost, the node goes on as it was,
            // and the leader sends the snapshot again later.
            ReplicaLog.SnapshotReceiveFailed(_logger, Id, error);
            DropIncoming();
            return chunk with { Done = false };
        }
    }

    private void DropIncoming()
    {
        _incoming?.Dispose();
        _incoming = null;
    }

    /// <summary>
    /// The core accepted the snapshot just received: the state machine takes it now, atomically and durably, before
    /// the log's new start is even queued, so that no crash can leave a log that starts after the engine's state.
    /// Batches produced before this one and not yet carried out hold only entries the snapshot covers (the core
    /// accepts a snapshot only past its commit index): <see cref="Apply"/> skips them.
    /// </summary>
    private void InstallSnapshot(SnapshotInstall install)
    {
        var assembly = _incoming is { Complete: true } complete && complete.Index == install.Index && complete.IncludedTerm == install.Term
            ? complete
            : throw new InvalidOperationException($"node {Id}: the core accepted snapshot {install.Index} but its bytes are not here");
        _incoming = null;
        _newestInstall = install.Index;
        _observer.SnapshotAccepted(install);
        var started = Stopwatch.GetTimestamp();
        using (assembly) assembly.Install.Commit();
        WarnIfSlow("switching its state to the received snapshot", started);
        ReplaceView(_stateMachine.TakeSnapshot()); // the old view keeps the replaced state only until disposed
    }

    /// <summary>
    /// Says so when a step that blocks the node's turn (a sync, a file written whole) held it for a heartbeat interval
    /// or more: meanwhile the node sends nothing and answers nothing, and an election may follow. Wall-clock time, not
    /// the silo's clock (which leaves stalls of the whole process out): this is about this turn.
    /// </summary>
    private void WarnIfSlow(string step, long startedTimestamp)
    {
        var took = Stopwatch.GetElapsedTime(startedTimestamp);
        if (took >= _options.Raft.HeartbeatInterval) ReplicaLog.SlowStep(_logger, Id, step, (long)took.TotalMilliseconds);
    }

    /// <summary>The installed snapshot's batch is carried out: the core learns its state is applied.</summary>
    private void Restored(RaftNode core, SnapshotInstall install)
    {
        core.AppliedTo(install.Index);
        // Two transfers can land back to back: the core accepts the second (past its new commit index) before the
        // first's batch is carried out, and the state machine already holds the second. The first is then only a
        // step on the way; the second's batch reports the state (found by the simulation: seed 5590, 5 nodes).
        if (install.Index != _newestInstall) return;
        _observer.SnapshotRestored(install);
        ReplicaLog.SnapshotInstalled(_logger, Id, install.Index);
    }

    /// <summary>The core asks for its snapshot to go to a follower: the latest one saved or installed is streamed in chunks.</summary>
    private void StartSnapshotTransfer(InstallSnapshot request)
    {
        var view = _view;
        if (view is null || view.Point.Index != request.LastIncludedIndex) return; // the core will ask again
        ReplicaLog.SnapshotSending(_logger, Id, view.Point.Index, request.To);
        var incarnation = _incarnation;
        _snapshotSender.Start(request, view, reply =>
        {
            if (incarnation != _incarnation) return false;
            Input(core => core.Step(reply));
            // Go on only while this node leads the term the transfer was asked for in (an answer with a newer
            // term has just deposed it).
            return _core is { Role: Role.Leader } leader && leader.Term == request.Term;
        });
    }

    // ---- one turn at a time ----

    private int _turnThread; // the thread inside the replica now (0: none)...
    private int _turnDepth; // ...and how deep (an input fed while a batch is carried out nests)

    /// <summary>
    /// The replica must be called on one turn at a time (see the class's remarks). A call from a second thread while
    /// one is inside would corrupt its pipeline silently; this makes it fail loudly instead, naming both threads.
    /// </summary>
    private TurnScope OnTurn()
    {
        var me = Environment.CurrentManagedThreadId;
        var inside = Interlocked.CompareExchange(ref _turnThread, me, 0);
        if (inside != 0 && inside != me)
        {
            var error = new InvalidOperationException($"node {Id}: called on thread {me} while thread {inside} is inside it; " +
                                                      "the replica must run on its host's turn only");
            ReplicaLog.TurnViolated(_logger, Id, error);
            throw error;
        }
        _turnDepth++;
        return new TurnScope(this);
    }

    private readonly struct TurnScope(RaftReplica<TQuery, TResult> replica) : IDisposable
    {
        public void Dispose()
        {
            if (--replica._turnDepth != 0) return;
            Volatile.Write(ref replica._turnThread, 0);
            // The turn may have moved the next timer (an election won brings a heartbeat near): the host re-arms.
            if (replica._tickDue is { } tickDue && replica.NextTickAt is { } due) tickDue(due);
        }
    }

    // ---- status ----

    /// <summary>What `client status` shows of this node.</summary>
    public NodeStatus Status()
    {
        var core = _core;
        return new NodeStatus
        {
            NodeId = Id,
            Crashed = core is null,
            Role = core?.Role.ToString() ?? "Crashed",
            Term = core?.Term ?? 0,
            VotedFor = core?.VotedFor,
            LeaderId = core?.LeaderId,
            LastLogIndex = core?.LastLogIndex ?? 0,
            CommitIndex = core?.CommitIndex ?? 0,
            LastApplied = core?.LastApplied ?? 0,
            Followers = core is null
                ? Array.Empty<FollowerStatus>()
                : core.Followers.OrderBy(f => f.Key)
                    .Select(f => new FollowerStatus(f.Key, f.Value.MatchIndex, f.Value.NextIndex,
                        (core.Now - f.Value.LastContact).TotalMilliseconds))
                    .ToArray(),
            ElectionsWon = _electionsWon.ToArray(),
            StateDigest = _stateMachine.Fingerprint,
            KeyCount = _stateMachine.Count,
            SnapshotIndex = core?.SnapshotIndex ?? 0,
            Voters = core?.Configuration.Voters ?? [],
            Learners = core?.Configuration.Learners ?? [],
            ConfigIndex = core?.ConfigurationIndex ?? 0,
            ConfigCommitted = core is not null && core.ConfigurationIndex <= core.CommitIndex,
            Quiesced = core?.Quiesced ?? false,
        };
    }

    /// <summary>One batch on its way through the pipeline.</summary>
    private sealed class Batch(Ready ready, Action<RaftMessage?>? answer)
    {
        public Ready Ready { get; } = ready;
        public Action<RaftMessage?>? Answer { get; } = answer;
        /// <summary>The number of the last write queued when this batch was produced: it waits for that one.</summary>
        public long DurableAt { get; set; }
        public bool Sent { get; set; }
    }

    private sealed record WaitingProposal(long Term, Action<ReplicaOutcome<TResult>> Answered);

    private sealed record WaitingChange(MembershipResult Appended, Action<MembershipResult> Answered);

    private sealed record WaitingRead(TQuery Query, Action<ReplicaOutcome<TResult>> Answered);
}
