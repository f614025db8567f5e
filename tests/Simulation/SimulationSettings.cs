using RaftOrleans.Configuration;
using RaftOrleans.Raft;
using RaftOrleans.Replica;
using RaftOrleans.Silo;

namespace RaftOrleans.Tests.Simulation;

/// <summary>
/// The knobs of one run. Each is drawn from the run's seed, so a seed names one exact scenario, and a thousand
/// seeds cover fast and lossy networks, short and long fault phases, and small append batches (which leave
/// entries of old terms half-replicated when leaders change: the shape of the Raft paper's Figure 8).
/// </summary>
internal sealed record SimulationSettings
{
    public required int Seed { get; init; }
    public required int NodeCount { get; init; }

    /// <summary>Raft groups of <see cref="NodeCount"/> nodes each, node N of every group on silo N (one disk per silo).</summary>
    public int Groups { get; init; } = 1;
    public required int ClientCount { get; init; }

    /// <summary>
    /// Clients that only read, on top of <see cref="ClientCount"/>: like a dashboard polling the leader it
    /// believes in, one keeps asking a leader that was cut off (a writer there waits out its timeout instead),
    /// which is where a read answered without a confirmed leadership would come out stale.
    /// </summary>
    public required int ReaderCount { get; init; }
    public required int KeyCount { get; init; }

    /// <summary>
    /// The session lifetime the clients' commands carry (0: none, as in a log written before sessions expired). Short
    /// against a run, so a client stalled by faults, or reading for a while, comes back to an expired session.
    /// </summary>
    public long SessionLifetimeMs { get; init; }

    /// <summary>Faults are injected from time zero until this virtual time; then everything heals.</summary>
    public required TimeSpan FaultPhase { get; init; }

    /// <summary>After the heal, a leader, every pending request and a converged cluster must come within this.</summary>
    public TimeSpan LivenessBound { get; init; } = TimeSpan.FromSeconds(10);

    public required double DropRate { get; init; }
    public required double DuplicateRate { get; init; }

    /// <summary>Share of messages that take the slow path: delivered long after later ones (reordering, stale terms).</summary>
    public required double SlowRate { get; init; }

    public TimeSpan MinDelay { get; init; } = 1.Ms();
    public required TimeSpan MaxDelay { get; init; }
    public TimeSpan SlowDelayMax { get; init; } = 600.Ms();

    /// <summary>Mean virtual time between two injected faults.</summary>
    public required TimeSpan MeanFaultGap { get; init; }

    /// <summary>
    /// Chance that a newly elected leader is crashed or cut off early, within a network delay or right at its
    /// first commit: what leaves its no-op and first batches on only some followers (Figure 8's precondition).
    /// </summary>
    public required double LeaderAmbushRate { get; init; }

    public required int MaxEntriesPerAppend { get; init; }
    public required int MaxInflightAppends { get; init; }

    /// <summary>
    /// Take a snapshot (and compact the log) when the applied log reaches this many entries past the last
    /// snapshot, as the shell's MaybeSnapshot does; null: snapshots off, the log is never compacted.
    /// </summary>
    public required int? SnapshotThreshold { get; init; }

    /// <summary>
    /// Entries the core keeps before its latest snapshot when it compacts (raft.toml's snapshot_catchup_entries):
    /// 0 for a third of the seeds (every lagging follower needs the snapshot), a short tail for the rest, so
    /// followers catch up both from a retained tail and, further behind, from a snapshot past the log's start.
    /// </summary>
    public required int SnapshotCatchUpEntries { get; init; }

    /// <summary>
    /// Most entries a leader keeps before its snapshot for a follower being sent an older one (the shell's default
    /// for a third of the seeds, none beyond the catch-up tail for a third, a few for the rest). Drawn from the seed,
    /// not the world, so that the other draws stay as they were.
    /// </summary>
    public required int TransferTailEntries { get; init; }

    /// <summary>
    /// Size of the InstallSnapshot chunks a leader streams (one call per chunk, the next sent when the reply to
    /// the previous one is back, as the shell does); int.MaxValue sends every snapshot as one chunk.
    /// </summary>
    public required int SnapshotChunkBytes { get; init; }

    /// <summary>
    /// The pace of snapshot transfers (raft.toml's snapshot_send_mb_per_s, in bytes here): unpaced for a third of the
    /// seeds, else slow enough that a transfer of a few hundred bytes waits for the pace between its chunks (and
    /// several transfers wait for each other), while a chunk still goes well within the snapshot retry interval.
    /// Drawn from the seed, not the world, so that the other draws stay as they were.
    /// </summary>
    public required long SnapshotSendBytesPerSecond { get; init; }

    /// <summary>How long a leader waits on a snapshot transfer before it tries again (RaftOptions.SnapshotRetryInterval).</summary>
    public required TimeSpan SnapshotRetryInterval { get; init; }

    /// <summary>
    /// Share of injected crashes aimed at a write in flight (see
    /// <see cref="SimulatedNode.ArmCrashInWrite"/>): the write may be lost or torn, and its batch never left.
    /// </summary>
    public required double InFlightCrashShare { get; init; }

    /// <summary>
    /// Chance, each time a replica asks, that its disk wants it to compact now (a shared log whose oldest segment
    /// the replica's entries keep: <see cref="IReplicaStorage.CompactionWanted"/>), so compactions also come at
    /// any applied index, between batches and on timer ticks. 0 for half the seeds.
    /// </summary>
    public required double CompactionAskedRate { get; init; }

    /// <summary>
    /// Idle groups quiesce (raft.toml's quiesce, on by default): the silos' heartbeats (<see cref="SiloHeartbeats"/>)
    /// stand in for a quiet leader's. On for even seeds: taken from the seed, not drawn, so an odd seed runs exactly as
    /// it did before quiescence existed.
    /// </summary>
    public required bool Quiesce { get; init; }

    /// <summary>
    /// With quiescence on, every client of the run holds back its next request during the second half of every virtual
    /// second, so that groups go idle, quiesce, and meet the faults (a crashed leader's silo falling silent) while
    /// quiesced: busy clients would never let a group quiesce before the heal. The time a request due at
    /// <paramref name="due"/> is sent.
    /// </summary>
    public TimeSpan AfterQuietSpell(TimeSpan due)
    {
        if (!Quiesce) return due;
        var second = TimeSpan.FromSeconds(Math.Floor(due.TotalSeconds));
        return due - second >= TimeSpan.FromMilliseconds(500) ? second + TimeSpan.FromSeconds(1) : due;
    }

    /// <summary>The silence after which a silo tells a quiesced follower its leader's silo is gone (the shipped election_timeout_min_ms).</summary>
    public TimeSpan ElectionTimeoutMin => Shipped.ElectionTimeoutMin;

    /// <summary>How often each silo beats for its quiesced replicas (the shipped heartbeat_interval_ms).</summary>
    public TimeSpan HeartbeatInterval => Shipped.HeartbeatInterval;

    /// <summary>How long one write takes on a node's simulated disk (its writes complete one after another).</summary>
    public required TimeSpan DiskDelayMin { get; init; }
    public required TimeSpan DiskDelayMax { get; init; }

    /// <summary>
    /// A deliberately broken replica that sends every batch's messages and replies before its write is durable
    /// (the outbox ordering undone). Only the test that proves the checks can see it turns it on.
    /// </summary>
    public bool PlantedBugSendBeforeDurable { get; init; }

    /// <summary>
    /// Membership changes during the fault phase (an operator adding, promoting and removing nodes at random), with
    /// one spare node, <see cref="NodeCount"/> + 1, started empty outside the first configuration. Off: no change, no spare.
    /// </summary>
    public bool MembershipChanges { get; init; }

    /// <summary>Every node the run starts: the first configuration's, plus the spare when membership changes.</summary>
    public int TotalNodes => NodeCount + (MembershipChanges ? 1 : 0);

    /// <summary>Planted bug: leaders take a membership change while the previous one is uncommitted (see RaftOptions).</summary>
    public bool PlantedBugConcurrentMembershipChanges { get; init; }

    /// <summary>
    /// A deliberately broken shell that persists an installed snapshot but does not restore its state machine
    /// from it. Only the test that proves the snapshot checks can fail turns it on.
    /// </summary>
    public bool SkipSnapshotRestore { get; init; }

    /// <summary>
    /// A deliberately broken disk that forgets term and vote on a crash. Only the test that proves the
    /// checker can see a violation turns it on.
    /// </summary>
    public bool DiskForgetsHardState { get; init; }

    /// <summary>
    /// A deliberately broken host that never passes on its silo's report that a quiesced follower's leader fell silent.
    /// Only the test that proves the liveness check sees it turns it on.
    /// </summary>
    public bool PlantedBugSilenceNeverReported { get; init; }

    /// <summary>How long a node waits for a call's answer before it counts the call as lost (the shipped raft.rpc_timeout_ms).</summary>
    public TimeSpan RpcTimeout => Shipped.RpcTimeout;

    /// <summary>What the product would run <see cref="NodeCount"/> nodes with: raft.toml's defaults, mapped as the silo maps them.</summary>
    private RaftClusterOptions Shipped =>
        RaftClusterOptionsFactory.From(RaftConfig.Default with { Cluster = new ClusterSettings { Nodes = NodeCount } });

    // Default election and heartbeat timings (150-300 ms, 50 ms): the ones the product ships with.
    public RaftOptions OptionsFor(int nodeId) => Shipped.ForNode(Shipped.Groups.All[0], nodeId) with
    {
        MaxEntriesPerAppend = MaxEntriesPerAppend,
        MaxInflightAppends = MaxInflightAppends,
        SnapshotRetryInterval = SnapshotRetryInterval,
        PlantedBugConcurrentMembershipChanges = PlantedBugConcurrentMembershipChanges,
        Quiesce = Quiesce,
    };

    /// <summary>The replica's options: the drawn snapshot knobs (the node is ticked when its core is due, see SimulatedNode.WakeBy).</summary>
    public ReplicaOptions ReplicaOptionsFor(int nodeId) => Shipped.ForReplica(Shipped.Groups.All[0], nodeId) with
    {
        Raft = OptionsFor(nodeId),
        SnapshotThreshold = SnapshotThreshold,
        SnapshotCatchUpEntries = SnapshotCatchUpEntries,
        TransferTailEntries = TransferTailEntries,
        SnapshotChunkBytes = SnapshotChunkBytes,
        SnapshotSendBytesPerSecond = SnapshotSendBytesPerSecond,
        AskedCompactionInterval = TimeSpan.Zero,
        PlantedBugSendBeforeDurable = PlantedBugSendBeforeDurable,
    };

    public static SimulationSettings Draw(int seed, int nodeCount, Random world) => new()
    {
        Seed = seed,
        NodeCount = nodeCount,
        ClientCount = world.Next(2, 5),
        ReaderCount = world.Next(2),
        KeyCount = world.Next(2, 7),
        FaultPhase = world.NextTime(3000.Ms(), 6000.Ms()),
        DropRate = world.NextDouble() * 0.2,
        DuplicateRate = world.NextDouble() * 0.1,
        SlowRate = world.NextDouble() * 0.05,
        MaxDelay = world.NextTime(2.Ms(), 30.Ms()),
        MeanFaultGap = world.NextTime(30.Ms(), 400.Ms()),
        LeaderAmbushRate = 0.3 + 0.7 * world.NextDouble(),
        // Small batches cut a follower's catch-up into several appends: a leader then hears acks for
        // old-term entries before its own no-op, which is when the current-term commit rule matters.
        MaxEntriesPerAppend = new[] { 1, 1, 1, 2, 2, 3, 64, 256 }[world.Next(8)],
        // At least two batches in flight so pipelining (and its out-of-order acks) is exercised.
        MaxInflightAppends = world.Next(2, 5),
        // A run commits a few dozen entries, so thresholds are small enough to compact several times a run
        // and to leave a crashed or cut-off follower behind the leader's snapshot; a quarter of the seeds keep
        // snapshots off so the uncompacted paths stay covered as before.
        SnapshotThreshold = world.Next(4) switch
        {
            0 => null,
            1 or 2 => world.Next(3, 12),
            _ => world.Next(12, 41),
        },
        // Snapshots are a few hundred bytes: small chunks make a transfer several calls, the last case one.
        SnapshotChunkBytes = new[] { 16, 48, 128, int.MaxValue }[world.Next(4)],
        SnapshotRetryInterval = world.NextTime(300.Ms(), 2000.Ms()),
        InFlightCrashShare = world.NextDouble() * 0.8,
        // From a fast SSD's fsync to a slow disk's: a write often outlasts a network hop, so leaders commit
        // with their own write still in flight and crashes find writes to tear.
        DiskDelayMin = TimeSpan.FromMilliseconds(0.2),
        DiskDelayMax = world.NextTime(1.Ms(), 12.Ms()),
        SnapshotCatchUpEntries = world.Next(3) switch
        {
            0 => 0,
            1 => world.Next(1, 4),
            _ => world.Next(4, 16),
        },
        SessionLifetimeMs = world.Next(3) == 0 ? 0 : world.Next(200, 2000),
        MembershipChanges = world.Next(2) == 0,
        CompactionAskedRate = world.Next(2) == 0 ? 0 : world.NextDouble() * 0.3,
        Quiesce = seed % 2 == 0,
        TransferTailEntries = (seed / 2 % 3) switch
        {
            0 => ReplicaOptions.DefaultTransferTailEntries,
            1 => 0,
            _ => 1 + seed / 6 % 8,
        },
        SnapshotSendBytesPerSecond = (seed / 5 % 3) switch
        {
            0 => 0,
            1 => 1_000,
            _ => 10_000,
        },
    };

    public override string ToString() =>
        $"seed {Seed}, {NodeCount} nodes{(Groups > 1 ? $" in each of {Groups} groups sharing {TotalNodes} silos" : "")}, {ClientCount} clients, {ReaderCount} readers, {KeyCount} keys, faults for {FaultPhase.TotalMilliseconds:0} ms " +
        $"every ~{MeanFaultGap.TotalMilliseconds:0} ms, ambush {LeaderAmbushRate:P0} of leaders, drop {DropRate:P0}, duplicate {DuplicateRate:P0}, slow {SlowRate:P0}, " +
        $"delay {MinDelay.TotalMilliseconds:0}-{MaxDelay.TotalMilliseconds:0} ms, batch {MaxEntriesPerAppend}, inflight {MaxInflightAppends}, " +
        $"snapshots {(SnapshotThreshold is { } t ? $"every {t} entries, keeping {SnapshotCatchUpEntries} (up to {TransferTailEntries} for a transfer)" : "off")}, chunks {(SnapshotChunkBytes == int.MaxValue ? "whole" : $"{SnapshotChunkBytes} B")} {(SnapshotSendBytesPerSecond > 0 ? $"at {SnapshotSendBytesPerSecond} B/s" : "unpaced")}, " +
        $"snapshot retry {SnapshotRetryInterval.TotalMilliseconds:0} ms, {InFlightCrashShare:P0} of crashes with writes in flight, " +
        $"disk writes {DiskDelayMin.TotalMilliseconds:0.#}-{DiskDelayMax.TotalMilliseconds:0.#} ms, " +
        $"sessions {(SessionLifetimeMs > 0 ? $"expire after {SessionLifetimeMs} ms" : "never expire")}, " +
        $"membership {(MembershipChanges ? $"changes (spare node {NodeCount + 1})" : "fixed")}, " +
        $"compaction asked {CompactionAskedRate:P0} of the time, quiescence {(Quiesce ? "on" : "off")}" +
        (PlantedBugConcurrentMembershipChanges ? ", TWO MEMBERSHIP CHANGES IN FLIGHT" : "") +
        (PlantedBugSendBeforeDurable ? ", SENDS BEFORE DURABLE" : "") +
        (DiskForgetsHardState ? ", DISK FORGETS HARD STATE" : "") +
        (PlantedBugSilenceNeverReported ? ", SILENT LEADERS NEVER REPORTED" : "") +
        (SkipSnapshotRestore ? ", SNAPSHOT RESTORE SKIPPED" : "");
}
