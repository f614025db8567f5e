using RaftOrleans.Raft;

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
    public required int ClientCount { get; init; }
    public required int KeyCount { get; init; }

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
    /// A deliberately broken disk that forgets term and vote on a crash. Only the test that proves the
    /// checker can see a violation turns it on.
    /// </summary>
    public bool DiskForgetsHardState { get; init; }

    public IReadOnlyList<int> Members => Enumerable.Range(1, NodeCount).ToArray();

    // Default election and heartbeat timings (150-300 ms, 50 ms): the ones the product ships with.
    public RaftOptions OptionsFor(int nodeId) => new()
    {
        NodeId = nodeId,
        Members = Members,
        MaxEntriesPerAppend = MaxEntriesPerAppend,
        MaxInflightAppends = MaxInflightAppends,
    };

    public static SimulationSettings Draw(int seed, int nodeCount, Random world) => new()
    {
        Seed = seed,
        NodeCount = nodeCount,
        ClientCount = world.Next(2, 5),
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
    };

    public override string ToString() =>
        $"seed {Seed}, {NodeCount} nodes, {ClientCount} clients, {KeyCount} keys, faults for {FaultPhase.TotalMilliseconds:0} ms " +
        $"every ~{MeanFaultGap.TotalMilliseconds:0} ms, ambush {LeaderAmbushRate:P0} of leaders, drop {DropRate:P0}, duplicate {DuplicateRate:P0}, slow {SlowRate:P0}, " +
        $"delay {MinDelay.TotalMilliseconds:0}-{MaxDelay.TotalMilliseconds:0} ms, batch {MaxEntriesPerAppend}, inflight {MaxInflightAppends}" +
        (DiskForgetsHardState ? ", DISK FORGETS HARD STATE" : "");
}
