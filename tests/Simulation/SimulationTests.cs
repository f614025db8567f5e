using Xunit;
using Xunit.Abstractions;

namespace RaftOrleans.Tests.Simulation;

/// <summary>
/// The deterministic cluster simulation: many seeds per cluster size, each a full run of faults then healing,
/// with Raft's safety properties checked after every step and liveness checked after the heal. Most seeds
/// snapshot and compact their logs and crash nodes in the middle of persisting; each sweep also checks that
/// every such path (InstallSnapshot, DiscardLog, compaction, torn and lost writes...) was actually taken.
/// A failing seed is named in the assertion message and can be replayed alone:
///   RAFT_SIM_SEED=17 RAFT_SIM_NODES=5 dotnet test tests/RaftOrleans.Tests.csproj -c Release --filter "FullyQualifiedName~SimulationTests.ReplaySeedFromEnvironment" --logger "console;verbosity=detailed"
/// </summary>
public sealed class SimulationTests(ITestOutputHelper output)
{
    // 2,000 seeds in all keep both sweeps well under 20 s on two busy cores with snapshots and crashes aimed at
    // writes in flight; RAFT_SIM_SEEDS runs more for a soak (2 x 10,000 pass).
    private const int ThreeNodeSeeds = 1200;
    private const int FiveNodeSeeds = 800;
    private const int GroupSeeds = 600;

    /// <summary>
    /// What the group sweep need not exercise: a pre-vote that reaches a quiesced follower in the moment between its
    /// leader's silo falling silent and its own silo reporting it is a coincidence of timing that came once in 600
    /// group seeds, and in none after snapshot transfers were paced (nor in 1,500 seeds). The code is the same with
    /// one group or several, and the five-node sweep takes it about a dozen times.
    /// </summary>
    private static readonly string[] RareInGroupSweep = ["silences found when a pre-vote came"];

    [Fact]
    public void ThreeNodeClusterStaysSafeAndLiveUnderFaults() => Sweep(nodeCount: 3, ThreeNodeSeeds);

    [Fact]
    public void FiveNodeClusterStaysSafeAndLiveUnderFaults() => Sweep(nodeCount: 5, FiveNodeSeeds);

    /// <summary>
    /// Three groups of three over three silos, node N of every group on silo N with one disk: a crash takes down the
    /// silo's replica of every group and its disk keeps a prefix of all their writes in flight; each group's
    /// invariants hold, and every group settles after the heal.
    /// </summary>
    [Fact]
    public void GroupsSharingSilosAndDisksStaySafeAndLiveUnderFaults() => Sweep(nodeCount: 3, GroupSeeds, groups: 3, mayMiss: RareInGroupSweep);

    /// <summary>The per-group checks see a broken disk in a run of several groups too.</summary>
    [Fact]
    public void AStorageThatForgetsVotesIsCaughtWithSeveralGroups()
    {
        var outcomes = SeedSweep.Run(nodeCount: 3, firstSeed: 1, count: 100, s => s with { DiskForgetsHardState = true }, groups: 3);

        Assert.True(outcomes.Any(o => !o.Passed), "no seed of three groups noticed a disk that forgets votes");
    }

    [Fact]
    public void ASeedReplaysExactly()
    {
        var first = ClusterSimulation.Run(seed: 7, nodeCount: 5);
        var again = ClusterSimulation.Run(seed: 7, nodeCount: 5);
        var other = ClusterSimulation.Run(seed: 8, nodeCount: 5);

        Assert.True(first.Passed, first.Violation);
        Assert.Equal(first.Fingerprint, again.Fingerprint);
        Assert.NotEqual(first.Fingerprint, other.Fingerprint);
    }

    /// <summary>
    /// The checks must be able to fail: with a disk that forgets term and vote in a crash, a restarted node
    /// can vote twice in one term and accept entries of a term it already left, and some seed must notice.
    /// </summary>
    [Fact]
    public void AStorageThatForgetsVotesIsCaught()
    {
        var outcomes = SeedSweep.Run(nodeCount: 3, firstSeed: 1, count: 200, s => s with { DiskForgetsHardState = true });

        var caught = outcomes.Where(o => !o.Passed).ToArray();
        Assert.True(caught.Length > 0, "no seed noticed a disk that forgets votes: the checks are too weak");
        output.WriteLine($"{caught.Length} of {outcomes.Count} seeds caught it, e.g.:");
        foreach (var outcome in caught.Take(10)) output.WriteLine($"seed {outcome.Seed}: {outcome.Violation!.Split('\n')[0]}");
    }

    /// <summary>
    /// The snapshot checks must be able to fail too: a shell that saves an installed snapshot but does not
    /// restore its state machine from it moves its applied index on with the old state, and some seed must notice.
    /// </summary>
    [Fact]
    public void ASnapshotInstallThatDoesNotRestoreTheStateIsCaught()
    {
        var outcomes = SeedSweep.Run(nodeCount: 3, firstSeed: 1, count: 100, s => s with { SkipSnapshotRestore = true });

        var caught = outcomes.Where(o => !o.Passed).ToArray();
        Assert.True(caught.Length > 0, "no seed noticed a snapshot install that keeps the old state: the checks are too weak");
        output.WriteLine($"{caught.Length} of {outcomes.Count} seeds caught it, e.g.:");
        foreach (var outcome in caught.Take(10)) output.WriteLine($"seed {outcome.Seed}: {outcome.Violation!.Split('\n')[0]}");
    }

    /// <summary>
    /// The outbox ordering must be checked too: a replica that sends a batch's messages and replies before its
    /// write is durable (a vote, an acknowledgement vouching for entries still in flight) is caught, by the check
    /// on every message that leaves a node or by what a crash then takes back.
    /// </summary>
    [Fact]
    public void ABatchSentBeforeItsWriteIsDurableIsCaught()
    {
        var outcomes = SeedSweep.Run(nodeCount: 3, firstSeed: 1, count: 50, s => s with { PlantedBugSendBeforeDurable = true });

        var caught = outcomes.Where(o => !o.Passed).ToArray();
        Assert.True(caught.Length > 0, "no seed noticed messages sent before their write was durable: the checks are too weak");
        output.WriteLine($"{caught.Length} of {outcomes.Count} seeds caught it, e.g.:");
        foreach (var outcome in caught.Take(10)) output.WriteLine($"seed {outcome.Seed}: {outcome.Violation!.Split('\n')[0]}");
    }

    /// <summary>
    /// The membership checks must be able to fail: leaders that take a second change while the first is uncommitted
    /// (two changes in flight: the old and the newest configuration need not share a majority) are caught.
    /// </summary>
    [Fact]
    public void TwoMembershipChangesInFlightAreCaught()
    {
        var outcomes = SeedSweep.Run(nodeCount: 3, firstSeed: 1, count: 100,
            s => s with { MembershipChanges = true, PlantedBugConcurrentMembershipChanges = true });

        var caught = outcomes.Where(o => o.Violation?.Contains("two membership changes in flight", StringComparison.Ordinal) == true).ToArray();
        Assert.True(caught.Length > 0, "no seed noticed two membership changes in flight: the checks are too weak");
        output.WriteLine($"{caught.Length} of {outcomes.Count} seeds caught it, e.g.:");
        foreach (var outcome in caught.Take(10)) output.WriteLine($"seed {outcome.Seed}: {outcome.Violation!.Split('\n')[0]}");
    }

    /// <summary>
    /// Quiescence's one liveness risk must be visible: a quiesced follower that is never told its leader's silo went
    /// silent waits forever, and runs whose quiesced leader crashes never settle.
    /// </summary>
    [Fact]
    public void AQuiescedFollowerNeverToldOfItsLeadersSilenceIsCaught()
    {
        var outcomes = SeedSweep.Run(nodeCount: 3, firstSeed: 1, count: 200, s => s with { Quiesce = true, PlantedBugSilenceNeverReported = true });

        var caught = outcomes.Where(o => o.Violation?.Contains("liveness", StringComparison.Ordinal) == true).ToArray();
        Assert.True(caught.Length > 0, "no seed noticed followers that never hear of their quiesced leader's death: the checks are too weak");
        output.WriteLine($"{caught.Length} of {outcomes.Count} seeds caught it, e.g.:");
        foreach (var outcome in caught.Take(10)) output.WriteLine($"seed {outcome.Seed}: {outcome.Violation!.Split('\n')[0]}");
    }

    /// <summary>Runs the seed named by RAFT_SIM_SEED (and RAFT_SIM_NODES, default 3, RAFT_SIM_GROUPS, default 1) with a trace; nothing if unset.</summary>
    [Fact]
    public void ReplaySeedFromEnvironment()
    {
        if (SimulationReplay.FromEnvironment() is not { } replay) return;

        output.WriteLine(ClusterSimulation.SettingsOf(replay.Seed, replay.NodeCount, replay.Groups).ToString());
        var outcome = ClusterSimulation.Run(replay.Seed, replay.NodeCount, replay.Groups, trace: true);
        foreach (var line in outcome.Trace) output.WriteLine(line);
        output.WriteLine(outcome.Fingerprint);
        output.WriteLine($"settled {outcome.SettledAfterHeal.TotalMilliseconds:0} ms after the heal");
        Assert.True(outcome.Passed, $"seed {replay.Seed} ({replay.NodeCount} nodes): {outcome.Violation}");
    }

    private void Sweep(int nodeCount, int seeds, int groups = 1, string[]? mayMiss = null)
    {
        var outcomes = SeedSweep.Run(nodeCount, firstSeed: 1, SimulationReplay.SeedCount(seeds), groups: groups);
        output.WriteLine(SeedSweep.Summary(outcomes));
        Assert.True(outcomes.All(o => o.Passed), SeedSweep.FailureReport(outcomes));

        // Passing means little if the paths under test were never taken: every snapshot and crash path, and
        // reads both answered and failed through ReadIndex, must have been exercised somewhere in the sweep, or a
        // change has quietly stopped exercising it.
        var unexercised = DurabilityCounters.Sum(outcomes.Select(o => o.Counters)).All().Where(c => c.Count == 0).Select(c => c.Name.Trim())
            .Except(mayMiss ?? []).ToArray();
        Assert.True(unexercised.Length == 0, $"never exercised across {outcomes.Count} seeds: {string.Join(", ", unexercised)}");
    }
}
