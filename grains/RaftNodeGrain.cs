using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Orleans.GrainDirectory;
using Orleans.Placement;
using RaftOrleans.Faults;
using RaftOrleans.Groups;
using RaftOrleans.Placement;
using RaftOrleans.Kv;
using RaftOrleans.Metrics;
using RaftOrleans.Raft;
using RaftOrleans.Replica;
using RaftOrleans.Status;
using RaftOrleans.Storage;

namespace RaftOrleans;

/// <summary>
/// The Orleans adapter of one <see cref="RaftReplica{TQuery,TResult}"/>, the replica of one node of one group (the
/// grain key: <see cref="GrainReferences.RaftNode"/>): grain calls and the grain timer in,
/// grain calls to peers out (<see cref="GrainTransport"/>), the disk on its own thread (<see cref="WriterStorage"/>).
/// Everything else, the whole of a node's logic, is the replica's.
/// Reentrant, because a node waiting on a peer must still answer that peer; safe, because the replica runs only
/// on this activation's turns and never keeps protocol state across one.
/// Node N lives only on its own silo (<see cref="RaftNodePlacement"/>), never moves (<c>Immovable</c>: the
/// rebalancer would carry it away from its disk) and is never collected as idle (<c>KeepAlive</c>). Its messages are
/// addressed without a directory lookup (<see cref="PlacementOnlyDirectory"/>), so a dead silo cannot hold them up.
/// </summary>
[Reentrant, RaftNodePlacement, Immovable, KeepAlive, GrainDirectory(GrainDirectoryName = PlacementOnlyDirectory.Name)]
public sealed partial class RaftNodeGrain : Grain, IRaftNodeGrain
{
    private readonly RaftClusterOptions _cluster;
    private readonly IRaftStorageProvider _storageProvider;
    private readonly LeaderCache _leaderCache;
    private readonly RaftMetrics _metrics;
    private readonly ILogger _logger;
    private readonly SiloClock _clock;
    private readonly SiloHeartbeatHost _heartbeats;
    private readonly LinkFaults _links = new();
    private RaftReplica<string, KvResult>? _replica;
    private KvStateMachine? _stateMachine;
    private IGrainTimer? _timer;
    private TimeSpan _wakeAt = TimeSpan.MaxValue; // when the timer fires next, on _clock (MaxValue: not armed)
    private TimeSpan _lastPublished;
    private DateTimeOffset _activatedAt;
    private readonly CommitLatency _commitLatency = new();
    private RaftGroup? _group;
    private TimeSpan? _lastHandOver;
    private TaskScheduler? _turns; // this activation's scheduler (see RunOnTurn)
    private SiloHeartbeats.Member? _quiescence; // this replica's place in the silo heartbeat

    /// <summary>A leader hands leadership to its group's preferred node at most this often (a flapping node cannot make it ping-pong).</summary>
    private static readonly TimeSpan HandOverBackoff = TimeSpan.FromSeconds(10);

    public RaftNodeGrain(RaftClusterOptions cluster, IRaftStorageProvider storageProvider, LeaderCache leaderCache, RaftMetrics metrics,
        SiloClock clock, SiloHeartbeatHost heartbeats, ILogger<RaftNodeGrain> logger)
    {
        _cluster = cluster;
        _clock = clock;
        _heartbeats = heartbeats;
        _storageProvider = storageProvider;
        _leaderCache = leaderCache;
        _metrics = metrics;
        this.GetPrimaryKeyLong(out var group);
        _tags = new ReplicaTags(group ?? "", NodeId);
        _logger = new GroupLogger(logger, Group);
    }

    private int NodeId => (int)this.GetPrimaryKeyLong(out _);

    /// <summary>The group's name, the grain key's extension (read once: the tags hold it).</summary>
    private string Group => _tags.Group;

    private readonly ReplicaTags _tags;

    private RaftReplica<string, KvResult> Replica => _replica ?? throw new RaftNodeUnavailableException(Group, NodeId);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (NodeId < 1 || NodeId > ClusterConfig.MaxNodeId)
            throw new ArgumentOutOfRangeException(nameof(NodeId), NodeId, $"node ids are 1..{ClusterConfig.MaxNodeId}");
        if (!_cluster.Groups.Contains(Group))
            throw new RaftNodeUnavailableException(Group, NodeId, $"this silo's raft.toml declares no such group (its groups: {_cluster.Groups.Names})");
        var group = _group = _cluster.Groups[Group];
        // The placement already chose this silo by name; this is the last guard, on the silo that owns the disk.
        if (!_cluster.Hosts(NodeId))
            throw new RaftNodeUnavailableException(Group, NodeId, $"silo {_cluster.SiloName} does not host it (its data directory is on {_cluster.SiloNameOf(NodeId)})");
        _activatedAt = DateTimeOffset.UtcNow;
        _turns = TaskScheduler.Current; // on a turn now: the activation's own scheduler
        var node = NodeId;
        var tags = _tags;
        var storage = new WriterStorage(_storageProvider.For(group.Name, node), _storageProvider.WriterFor(group.Name, node),
            new ReplicaId(group.Name, node), repair => LogRepaired(node, repair), (took, entries) => _metrics.Flushed(tags, took, entries));
        _replica = new RaftReplica<string, KvResult>(
            _cluster.ForReplica(group, NodeId),
            new GrainTransport(GrainFactory, _cluster.RpcTimeout, group.Name, NodeId, _links, _logger),
            storage,
            _stateMachine = new KvStateMachine(_storageProvider.StateFor(group.Name, NodeId)),
            clock: () => _clock.Now,
            post: RunOnTurn,
            newRandom: () => new Random(),
            _logger,
            new ReplicaObservers<KvResult>(new LeaderCacheObserver(_leaderCache, group.Name), new MetricsObserver(_metrics, tags)),
            tickDue: WakeBy,
            quiescence: _quiescence = _heartbeats.Heartbeats.Join(group.Name, node, _links.IsCut,
                (term, peer, silentFor) => RunOnTurn(() => _replica?.PeerSilent(term, peer, silentFor))));
        // KeepAlive: a Raft node must stay active with no client around, or nobody would hold elections. The timer
        // fires once, then is re-armed for whenever the core next has something due (WakeBy): an idle follower wakes
        // about once per election timeout (each heartbeat pushes its deadline back), a leader once per heartbeat.
        _timer = this.RegisterGrainTimer(OnTimer, new GrainTimerCreationOptions(_cluster.TickInterval, Timeout.InfiniteTimeSpan)
        {
            Interleave = true,
            KeepAlive = true,
        });
        _wakeAt = _clock.Now + _cluster.TickInterval;
        _replica.Start();
        return Task.CompletedTask;
    }

    /// <summary>An activation going away must not go on persisting into storage a new activation will use.</summary>
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _metrics.Forget(_tags);
        if (_replica is null)
        {
            _quiescence?.Dispose(); // the activation failed after joining the silo heartbeat: it must not keep the silo awake
            return Task.CompletedTask;
        }
        var stopped = new TaskCompletionSource();
        _replica.Stop(() =>
        {
            _quiescence?.Dispose(); // a node gone from this silo keeps no beat going, nor the silo clock at its fast pace
            stopped.TrySetResult();
        });
        return stopped.Task;
    }

    public Task Start() => Task.CompletedTask; // activation did the work

    public Task<RequestVoteReply> RequestVote(RequestVote request) => Answer<RequestVoteReply>(request);

    public Task<AppendEntriesReply> AppendEntries(AppendEntries request) => Answer<AppendEntriesReply>(request);

    public Task<InstallSnapshotReply> InstallSnapshot(InstallSnapshot chunk) => Answer<InstallSnapshotReply>(chunk);

    public Task TimeoutNow(TimeoutNow message)
    {
        if (_links.IsCut(message.From)) return LostAsync<TimeoutNow>(message.From);
        var delivered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Replica.Receive(message, _ => delivered.TrySetResult());
        return delivered.Task;
    }

    public Task<TransferResult> TransferLeadership(int? target)
    {
        var answer = new TaskCompletionSource<TransferResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        Replica.TransferLeadership(target, result => answer.TrySetResult(result));
        return answer.Task;
    }

    public Task<MembershipResult> ChangeMembership(MembershipChange change)
    {
        var answer = new TaskCompletionSource<MembershipResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        Replica.ChangeMembership(change, result => answer.TrySetResult(result));
        return answer.Task;
    }

    public Task<KvResult[]> Submit(KvRequest[] requests)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var answers = new Task<KvResult>[requests.Length];
        // All but the last wait for the rest (moreFollow): the whole batch goes out as one append and one read round.
        for (var i = 0; i < requests.Length; i++)
        {
            var request = requests[i] ?? throw new ArgumentNullException(nameof(requests), $"request {i + 1} of {requests.Length} is missing");
            answers[i] = Submit(request, moreFollow: i < requests.Length - 1);
        }
        return Task.WhenAll(answers);
    }

    private Task<KvResult> Submit(KvRequest request, bool moreFollow)
    {
        var answer = new TaskCompletionSource<KvResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = Stopwatch.GetTimestamp();
        var write = request.Operation != KvOperation.Get;
        void Answered(ReplicaOutcome<KvResult> outcome)
        {
            switch (outcome.Kind)
            {
                case ReplicaOutcomeKind.Done:
                    if (write)
                    {
                        var took = Stopwatch.GetElapsedTime(started);
                        _metrics.Committed(_tags, took);
                        _commitLatency.Add(took);
                    }
                    answer.TrySetResult(outcome.Result!);
                    break;
                case ReplicaOutcomeKind.NotLeader: answer.TrySetResult(KvResult.NotLeader(outcome.LeaderHint)); break;
                default: answer.TrySetException(new RaftNodeUnavailableException(Group, NodeId)); break;
            }
        }
        if (!write) Replica.Read(request.Key, Answered, moreFollow);
        else
        {
            if (Replica.Core is { Role: Role.Leader }) _metrics.Proposed(_tags);
            Replica.Propose(Command(request), Answered, moreFollow);
        }
        return answer.Task;
    }

    /// <summary>
    /// The request as the log carries it: stamped with this (leading) node's clock, never earlier than the state's
    /// clock (a leader whose clock runs behind would otherwise have every new client's first write refused as too
    /// old), and the session lifetime it runs with.
    /// </summary>
    private byte[] Command(KvRequest request) =>
        KvCommandCodec.Encode(request,
            Math.Max(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), _stateMachine?.ClockMs ?? 0),
            (long)_cluster.SessionLifetime.TotalMilliseconds);

    public Task<NodeStatus> GetStatus() => Task.FromResult(Status());

    private NodeStatus Status() => Replica.Status() with
    {
        Group = Group,
        Silo = RuntimeIdentity,
        ProcessId = Environment.ProcessId,
        ActivatedAt = _activatedAt,
        CommitLatencyMs = _commitLatency.LastSecondMs,
    };

    public Task Crash()
    {
        FaultOrders.Check(_cluster, "crash", NodeId);
        Replica.Crash();
        return Task.CompletedTask;
    }

    public Task Restart()
    {
        FaultOrders.Check(_cluster, "restart", NodeId);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Replica.Restart(() => started.TrySetResult());
        return started.Task;
    }

    public Task CutOff(int[] peers)
    {
        FaultOrders.Check(_cluster, "cut off", NodeId);
        if (peers.Where(p => p == NodeId || p < 1 || p > ClusterConfig.MaxNodeId).Select(p => (int?)p).FirstOrDefault() is { } wrong)
            throw new ArgumentException($"node {NodeId} cannot be cut off from node {wrong}: peers are other node ids of 1..{ClusterConfig.MaxNodeId}", nameof(peers));
        _links.CutOff(peers);
        if (peers.Length == 0) LogHealed(NodeId);
        else LogCutOff(NodeId, string.Join(", ", peers.Order()));
        return Task.CompletedTask;
    }

    /// <summary>A peer's request; the answer is the replica's reply once it may leave, or "down" if none comes.</summary>
    private Task<TReply> Answer<TReply>(RaftMessage request) where TReply : RaftMessage
    {
        if (_links.IsCut(request.From)) return LostAsync<TReply>(request.From);
        var answer = new TaskCompletionSource<TReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        Replica.Receive(request, reply =>
        {
            if (reply is TReply typed) answer.TrySetResult(typed);
            else answer.TrySetException(new RaftNodeUnavailableException(Group, NodeId));
        });
        return answer.Task;
    }

    /// <summary>A request from a peer this node is cut off from: like a message lost on the wire, nothing comes back before the sender's deadline.</summary>
    private async Task<TReply> LostAsync<TReply>(int peer) where TReply : RaftMessage
    {
        await Task.Delay(_cluster.RpcTimeout);
        throw new RaftNodeUnavailableException(Group, NodeId, $"cut off from node {peer} (fault injection)");
    }

    private Task OnTimer(CancellationToken cancellationToken)
    {
        _wakeAt = TimeSpan.MaxValue; // fired: not armed until re-armed below (or by the tick's own turn)
        try
        {
            _replica?.Tick();
            if (_clock.Now - _lastPublished >= PublishInterval && _replica is not null)
            {
                // Once a second: the gauges read this, and the last second's commits become its latency figure.
                _lastPublished = _clock.Now;
                _commitLatency.EndSecond();
                var status = Status();
                _metrics.Publish(status);
                _published = (status.Term, status.LastApplied, status.Quiesced);
                HandOverToPreferredLeader(status);
            }
        }
        finally
        {
            // At the latest for the next publication: also a node that is down (no core, nothing due) wakes that
            // often, and a failure above does not leave the timer off. A quiesced node's status does not change
            // while it stays quiesced, and whatever wakes it brings its timer near again (its core has work).
            WakeBy(_lastPublished + (PublishedIsCurrent ? QuiescedPublishInterval : PublishInterval));
        }
        return Task.CompletedTask;
    }

    private static readonly TimeSpan PublishInterval = TimeSpan.FromSeconds(1);

    /// <summary>How often a quiesced node publishes its (unchanging) status: an idle group's timers are what it costs.</summary>
    private static readonly TimeSpan QuiescedPublishInterval = TimeSpan.FromSeconds(10);

    private (long Term, long Applied, bool Quiesced) _published; // what the last publication said

    /// <summary>The node is quiesced, and its last publication already said so, at its term and applied index.</summary>
    private bool PublishedIsCurrent => _replica?.Core is { Quiesced: true } core && _published == (core.Term, core.LastApplied, true);

    /// <summary>
    /// Arms the timer to fire at <paramref name="due"/> (on the silo clock), never sooner than one tick interval from
    /// now (a core due at once must not spin the timer), unless it is armed to fire earlier already. A time armed for
    /// that passed long ago means the firing was lost (Orleans drops a re-arm made between a firing and its callback):
    /// it counts as not armed.
    /// </summary>
    private void WakeBy(TimeSpan due)
    {
        if (_timer is null) return;
        var now = _clock.Now;
        var earliest = now + _cluster.TickInterval;
        var at = due > earliest ? due : earliest;
        var lost = _wakeAt != TimeSpan.MaxValue && _wakeAt < now - _cluster.TickInterval * 4;
        if (at >= _wakeAt && !lost) return;
        _wakeAt = at;
        _timer.Change(at - now, Timeout.InfiniteTimeSpan);
    }

    /// <summary>
    /// Spreads the leaders of many groups over the silos: a leader that is not its group's preferred node
    /// (<see cref="RaftGroup.PreferredLeader"/>, a different node for consecutive groups) hands leadership to it once
    /// that node is a voter, answers, and holds the whole log, as TiKV's leader balancing and CockroachDB's lease
    /// preferences do. Elections alone would pile leaders up on whichever silo started or recovered first. With one group
    /// there is nothing to spread, and any healthy leader stays.
    /// </summary>
    private void HandOverToPreferredLeader(NodeStatus status)
    {
        if (_cluster.Groups.Count < 2 || _group is not { } group || status.Role != ClusterMembers.LeaderRole) return;
        var preferred = group.PreferredLeader;
        if (preferred == NodeId || _clock.Now - _lastHandOver < HandOverBackoff || !status.Voters.Contains(preferred)) return;
        // (null - x is null, and null < backoff is false: the first hand-over needs no wait.)
        var follower = status.Followers.FirstOrDefault(f => f.NodeId == preferred);
        // A quiesced leader hears nothing by design: its follower's last answer was its quiescence, with the whole log.
        var caughtUp = follower is not null && FollowerStatus.Behind(status.LastLogIndex, follower.MatchIndex) == 0
            && (status.Quiesced || follower.SinceLastContactMs < _cluster.ElectionTimeoutMin.TotalMilliseconds);
        if (!caughtUp) return;
        _lastHandOver = _clock.Now;
        LogHandOver(NodeId, preferred);
        Replica.TransferLeadership(preferred, result =>
        {
            if (!result.Started) LogHandOverRefused(NodeId, preferred, result.ToString());
        });
    }

    /// <summary>
    /// "Run this later on my own turn": onto this activation's queue (its task scheduler, taken at activation), after
    /// what is already waiting there. Callable from any thread: the replica posts from its turns, the silo's heartbeat
    /// thread reports a silent peer.
    /// </summary>
    private void RunOnTurn(Action action) =>
        Task.Factory.StartNew(action, CancellationToken.None, TaskCreationOptions.None, _turns!);

    [LoggerMessage(EventId = 1100, Level = LogLevel.Warning, Message = "node {NodeId}: fault injection: cut off from nodes {Peers}")]
    private partial void LogCutOff(int nodeId, string peers);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "node {NodeId}: fault injection: links healed")]
    private partial void LogHealed(int nodeId);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Warning, Message = "node {NodeId} storage recovery: {Repair}")]
    private partial void LogRepaired(int nodeId, string repair);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Information, Message = "node {NodeId} hands leadership to node {Preferred}, its group's preferred leader (spreading leaders over the silos)")]
    private partial void LogHandOver(int nodeId, int preferred);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Debug, Message = "node {NodeId} could not hand leadership to node {Preferred}: {Result}")]
    private partial void LogHandOverRefused(int nodeId, int preferred, string result);

}
