using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using RaftOrleans.Kv;
using RaftOrleans.Raft;
using RaftOrleans.Storage;

namespace RaftOrleans;

/// <summary>
/// The Orleans shell around one <see cref="RaftNode"/>: a grain timer feeds it time, grain calls feed it
/// messages and client requests, and every batch it returns is carried out in order: persist, send, apply
/// (see RaftNodeGrain.Batches.cs; the persisting runs on the storage's own thread).
/// Reentrant, because a node waiting on a peer must still answer that peer; safe, because the core is
/// synchronous and this class never keeps protocol state across an await (it asks the core again after).
/// </summary>
[Reentrant]
public sealed partial class RaftNodeGrain : Grain, IRaftNodeGrain
{
    private readonly RaftClusterOptions _cluster;
    private readonly IRaftStorageProvider _storageProvider;
    private readonly ILogger<RaftNodeGrain> _logger;
    private readonly Stopwatch _clock = new();
    private readonly Dictionary<long, PendingProposal> _pending = new();
    private readonly Dictionary<long, PendingGet> _reads = new();
    private long _lastReadId;
    private IRaftStorage _storage = null!;
    private DurableWriter _writer = null!;
    private RaftNode? _core; // null while crashed
    private KvStateMachine _kv = new();
    private long _appliedIndex; // the last index _kv has applied (the core's LastApplied may be ahead of it)
    private TimeSpan _lastTick;
    private TimeSpan _lastTimer;
    private bool _flushScheduled;

    // Bumped by every crash, so answers to calls a crashed incarnation made are not fed to the next one.
    private int _incarnation;

    public RaftNodeGrain(RaftClusterOptions cluster, IRaftStorageProvider storageProvider, ILogger<RaftNodeGrain> logger)
    {
        _cluster = cluster;
        _storageProvider = storageProvider;
        _logger = logger;
    }

    private int NodeId => (int)this.GetPrimaryKeyLong();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (NodeId < 1 || NodeId > _cluster.Nodes)
            throw new ArgumentOutOfRangeException(nameof(NodeId), NodeId, $"node ids are 1..{_cluster.Nodes}");
        _storage = _storageProvider.For(NodeId);
        StartCore();
        // KeepAlive: a Raft node must stay active with no client around, or nobody would hold elections.
        this.RegisterGrainTimer(OnTimer, new GrainTimerCreationOptions(_cluster.TickInterval, _cluster.TickInterval)
        {
            Interleave = true,
            KeepAlive = true,
        });
        return Task.CompletedTask;
    }

    public Task Start() => Task.CompletedTask; // activation did the work

    public Task<RequestVoteReply> RequestVote(RequestVote request) => Answer<RequestVoteReply>(request);

    public Task<AppendEntriesReply> AppendEntries(AppendEntries request) => Answer<AppendEntriesReply>(request);

    public Task<InstallSnapshotReply> InstallSnapshot(InstallSnapshot chunk) =>
        Answer<InstallSnapshotReply>(ReceiveChunk(chunk));

    public Task<KvResult> Submit(KvRequest request)
    {
        var core = RunningCore();
        if (request.Operation == KvOperation.Get) return Read(core, request.Key);
        var proposal = core.Propose(KvCommandCodec.Encode(request));
        if (!proposal.Accepted) return Task.FromResult(KvResult.NotLeader(proposal.LeaderHint));

        var completion = new TaskCompletionSource<KvResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[proposal.Index] = new PendingProposal(proposal.Term, completion);
        Flush();
        return completion.Task;
    }

    /// <summary>
    /// A get does not go through the log: the core confirms this node still leads (one heartbeat round shared
    /// by all reads waiting at that moment) and has applied everything committed when the read arrived.
    /// </summary>
    private Task<KvResult> Read(RaftNode core, string key)
    {
        var id = ++_lastReadId;
        if (!core.ReadIndex(id)) return Task.FromResult(KvResult.NotLeader(core.LeaderId));
        var completion = new TaskCompletionSource<KvResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        _reads[id] = new PendingGet(key, completion);
        Flush();
        return completion.Task;
    }

    /// <summary>
    /// Batching. Under load a request does not go out on its own: the first one schedules a flush behind the
    /// requests already queued on this activation, so all of them share one batch: one write (merged by the
    /// storage thread with whatever else waits for the disk into one fsync), one AppendEntries per follower,
    /// and for reads one heartbeat round. A request that finds nothing else under way goes out at once:
    /// a lone client would gain nothing from waiting a turn of the scheduler, which costs it ~0.3-0.8 ms here.
    /// </summary>
    private void Flush()
    {
        if (_flushScheduled) return;
        if (_pending.Count + _reads.Count <= 1 && _outbox.Count == 0)
        {
            Drive();
            return;
        }
        _flushScheduled = true;
        _ = FlushSoon();
    }

    private async Task FlushSoon()
    {
        await Task.Yield(); // back onto this activation's queue, after what is already waiting there
        _flushScheduled = false;
        if (_core is not null) Drive();
    }

    public Task Crash()
    {
        if (_core is null) return Task.CompletedTask;
        LogCrashed(NodeId);
        Fence();
        _kv = new KvStateMachine();
        _snapshot = null;
        _incoming = null;
        return Task.CompletedTask;
    }

    /// <summary>
    /// Stops this incarnation: no more inputs, answers to its outstanding calls are ignored, writes it queued
    /// but the disk has not started are dropped (nothing was sent or applied for them), and its waiting
    /// clients and callers are told it is down (everything it acknowledged is already durable).
    /// </summary>
    private void Fence()
    {
        _core = null;
        _incarnation++;
        _ = _writer.StopAsync();
        var down = new RaftNodeUnavailableException(NodeId);
        FailPending(down);
        FailOutbox(down);
    }

    public async Task Restart()
    {
        // A write still under way must land before the storage is read back. Another Restart (and a Crash)
        // may interleave while we wait: start only if the writer we waited for is still the latest one.
        while (_core is null)
        {
            var writer = _writer;
            await writer.StopAsync();
            if (_core is null && ReferenceEquals(writer, _writer)) StartCore();
        }
    }

    private void StartCore()
    {
        var persisted = _storage.Load();
        _writer = new DurableWriter(_storage, NodeId);
        if (_storage is FileRaftStorage { LastRepair: { } repair }) LogRepaired(NodeId, repair);
        _snapshot = persisted.Snapshot;
        _incoming = null;
        _kv = _snapshot is null ? new KvStateMachine() : KvStateMachine.FromSnapshot(_snapshot.Data);
        _appliedIndex = _snapshot?.Index ?? 0;
        _core = new RaftNode(_cluster.ForNode(NodeId), persisted.HardState,
            _snapshot?.Index ?? 0, _snapshot?.Term ?? 0, persisted.Log, new Random());
        _clock.Restart();
        _lastTick = TimeSpan.Zero;
        _lastTimer = TimeSpan.Zero;
        _observed = (Role.Follower, persisted.HardState.Term, null);
        LogStarted(NodeId, persisted.HardState.Term, persisted.Log.Count, _snapshot?.Index ?? 0);
    }

    private Task OnTimer(CancellationToken cancellationToken)
    {
        if (_core is null) return Task.CompletedTask;
        var late = _clock.Elapsed - _lastTimer - _cluster.TickInterval;
        _lastTimer = _clock.Elapsed;
        // A node whose timer runs this late was starved (a long GC pause, an overloaded machine): its peers may
        // already have started an election. Saying so here saves guessing why the leader changed.
        if (late > _cluster.ElectionTimeoutMin / 2) LogTimerLate(NodeId, late.TotalMilliseconds);
        Drive();
        return Task.CompletedTask;
    }

    /// <summary>An activation going away must not go on persisting into storage a new activation will use.</summary>
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_core is not null) Fence();
        if (_writer is not null) await _writer.StopAsync(); // null if the activation failed to load storage
    }

    /// <summary>
    /// The running core, its clock brought up to now first: time is fed before every input, not only on the
    /// timer, so the core's timestamps (election durations, last contact) are as exact as the stopwatch.
    /// <para>
    /// A gap longer than two timer ticks is fed as two ticks, as etcd drops the ticks its loop missed: when the
    /// whole process stalls (a blocking GC of a few hundred ms was seen here at the end of a benchmark), every
    /// node in it stalls alike, and counting the stall would make all followers campaign at once against a
    /// leader that is fine. The price: on a starved machine the Raft timers run slow, never fast.
    /// </para>
    /// </summary>
    private RaftNode RunningCore()
    {
        var core = _core ?? throw new RaftNodeUnavailableException(NodeId);
        var now = _clock.Elapsed;
        if (now > _lastTick)
        {
            var elapsed = now - _lastTick;
            var longest = _cluster.TickInterval * 2;
            core.Tick(elapsed < longest ? elapsed : longest);
            _lastTick = now;
        }
        return core;
    }
}
