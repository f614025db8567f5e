using RaftOrleans.Raft;

namespace RaftOrleans.Tests.Simulation;

/// <summary>
/// Breaks the cluster at random during the fault phase: crashes nodes (the leader more often than its share),
/// some of them while writes are in flight (the disk then keeps all, some, a torn part or none of them; see
/// <see cref="SimulatedNode.ArmCrashInWrite"/>), and restarts them later from what was durable; partitions
/// the cluster (at random, or cutting the leader off), heals partitions, and ambushes some newly elected
/// leaders (see <see cref="MaybeAmbush"/>): losing a leader while its last entries sit on only some nodes is
/// what tests the commit rule. At the end of the phase <see cref="HealAll"/> undoes everything so the
/// liveness half of the run can begin.
/// </summary>
internal sealed class FaultInjector(
    SimulationSettings settings,
    EventQueue queue,
    Random world,
    SimulatedNetwork network,
    IReadOnlyList<SimulatedNode> nodes,
    SimulationTrace trace,
    DurabilityCounters counters)
{
    private readonly Dictionary<int, (int Incarnation, long Term, bool Crash)> _armed = new();
    private int _partitionGeneration;
    private bool _healed;

    public void Start()
    {
        foreach (var node in nodes)
        {
            node.BecameLeader += MaybeAmbush;
            node.LeaderCommitted += OnLeaderCommitted;
        }
        ScheduleNext();
    }

    /// <summary>Partitions gone, every node up, no more drops (delays, duplicates and reordering stay).</summary>
    public void HealAll()
    {
        _healed = true;
        foreach (var node in nodes) node.Disarm();
        network.Heal();
        network.DropRate = 0;
        foreach (var node in nodes.Where(n => !n.IsUp)) node.Start();
        trace.Write("faults healed");
    }

    private void ScheduleNext() =>
        queue.After(world.NextTime(settings.MeanFaultGap / 2, settings.MeanFaultGap * 1.5), Inject);

    private void Inject()
    {
        if (_healed || queue.Now >= settings.FaultPhase) return;
        var roll = world.Next(100);
        if (roll < 20) Crash(Leader() ?? RandomNode());
        else if (roll < 40) Crash(RandomNode());
        else if (roll < 55) IsolateLeader();
        else if (roll < 75) RandomPartition();
        else if (roll < 85) network.Heal();
        else if (roll < 92) TransferLeadership();
        // else: a quiet spell, so the cluster sometimes gets to make progress between faults
        // An operator's membership change may come with any fault (or with none): often enough that changes meet
        // crashes, partitions, snapshots and each other (a second one while the first is uncommitted is refused).
        if (settings.MembershipChanges && world.Chance(0.35)) ChangeMembership();
        ScheduleNext();
    }

    /// <summary>
    /// Strikes some new leaders early in their term, by a crash or by cutting them off: either after a short
    /// while (its no-op reaches only some followers) or at the moment it first advances its commit index (the
    /// entries it sent with or after that commit reach only some). Either way the next leader inherits logs
    /// that differ across nodes in their last terms, which is where a wrong commit rule shows.
    /// </summary>
    private void MaybeAmbush(SimulatedNode leader)
    {
        if (_healed || !world.Chance(settings.LeaderAmbushRate)) return;
        var target = (leader.Incarnation, leader.Raft!.Term, Crash: world.Chance(0.25));
        if (world.Chance(0.5))
        {
            // At the commit, only a cut link stops what the leader sent in that same step (a crash would
            // still let those messages arrive), so this strike always isolates.
            _armed[leader.Id] = target with { Crash = false };
            return;
        }
        queue.After(world.NextTime(TimeSpan.Zero, settings.MaxDelay), () => Strike(leader, target));
    }

    private void OnLeaderCommitted(SimulatedNode leader)
    {
        if (_armed.Remove(leader.Id, out var target)) queue.After(TimeSpan.Zero, () => Strike(leader, target));
        else if (!_healed && leader.Raft!.CommitIndex > leader.Disk.Durable.LastIndex && world.Chance(0.8)) CrashAheadOfDisk(leader);
    }

    /// <summary>
    /// A leader committed entries its own disk is still writing (it writes in parallel with its followers, and a
    /// majority of them already holds the entries): crash it now, so that the disk may lose them. The commit must
    /// survive anyway; a leader that counted itself before its write was durable would lose it here.
    /// </summary>
    private void CrashAheadOfDisk(SimulatedNode leader)
    {
        var incarnation = leader.Incarnation;
        counters.LeaderCrashesAheadOfOwnDisk++;
        trace.Write($"node {leader.Id} leads with commit {leader.Raft!.CommitIndex} ahead of its disk ({leader.Disk.Durable.LastIndex}): crash it");
        queue.After(TimeSpan.Zero, () =>
        {
            if (_healed || leader.Incarnation != incarnation || !leader.IsUp) return;
            leader.Crash();
            ScheduleRestart(leader);
        });
    }

    private void Strike(SimulatedNode leader, (int Incarnation, long Term, bool Crash) target)
    {
        if (_healed || leader.Incarnation != target.Incarnation || leader.Raft is not { Role: Role.Leader } raft || raft.Term != target.Term) return;
        trace.Write($"ambush of node {leader.Id}, leader of term {target.Term}");
        if (target.Crash) Crash(leader);
        else Isolate(leader);
    }

    private void Crash(SimulatedNode node)
    {
        if (!node.IsUp) return;
        if (world.Chance(settings.InFlightCrashShare))
        {
            // Strikes when the node next persists something (a vote, a term, entries or a snapshot), or waits a
            // little for a write a crash can tear, or for a snapshot being installed.
            var roll = world.Next(10);
            var target = roll < 4 ? CrashTarget.AnyPersist : roll < 8 ? CrashTarget.SeveralRecords : CrashTarget.SnapshotInstall;
            node.ArmCrashInWrite(target, ScheduleRestart);
            return;
        }
        node.Crash();
        ScheduleRestart(node);
    }

    private void ScheduleRestart(SimulatedNode node)
    {
        var incarnation = node.Incarnation;
        queue.After(world.NextTime(20.Ms(), 1500.Ms()), () =>
        {
            if (_healed || node.Incarnation != incarnation) return;
            node.Start();
            // Some crash again while catching up: a restarted node receives batches of entries, often with a
            // newer term in the same batch (it missed elections), or the leader's snapshot; the writes a crash
            // can tear, or an install it can interrupt.
            if (world.Chance(settings.InFlightCrashShare / 2))
                node.ArmCrashInWrite(world.Chance(0.5) ? CrashTarget.SeveralRecords : CrashTarget.SnapshotInstall, ScheduleRestart);
        });
    }

    /// <summary>An operator moves leadership: to a random node (perhaps down, cut off or itself), or to the leader's pick.</summary>
    private void TransferLeadership()
    {
        if (Leader() is not { } leader) return;
        leader.TransferLeadership(world.Chance(0.25) ? null : RandomNode().Id);
    }

    /// <summary>
    /// An operator changes the membership by one node: a node outside the configuration is added as a learner, a learner
    /// promoted (or now and then removed), a voter removed (the leader too; never below two voters). The leader may
    /// refuse (a change in flight, a learner behind): the refusal is the test too.
    /// </summary>
    private void ChangeMembership()
    {
        if (Leader() is not { } leader) return;
        var config = leader.Raft!.Configuration;
        var node = RandomNode().Id;
        MembershipChangeKind? kind = config.IsVoter(node) ? (config.Voters.Length > 2 ? MembershipChangeKind.Remove : null)
            : config.IsLearner(node) ? (world.Chance(0.8) ? MembershipChangeKind.Promote : MembershipChangeKind.Remove)
            : MembershipChangeKind.AddLearner;
        if (kind is { } change) leader.ChangeMembership(new MembershipChange(change, node));
    }

    private void IsolateLeader()
    {
        if (Leader() is { } leader) Isolate(leader);
    }

    private void Isolate(SimulatedNode node)
    {
        var sides = new int[settings.TotalNodes + 1];
        sides[node.Id] = 1;
        Partition(sides);
    }

    private void RandomPartition()
    {
        var sides = new int[settings.TotalNodes + 1];
        for (var id = 1; id <= settings.TotalNodes; id++) sides[id] = world.Next(2);
        Partition(sides);
    }

    private void Partition(int[] sides)
    {
        network.Partition(sides);
        var generation = ++_partitionGeneration;
        queue.After(world.NextTime(100.Ms(), 2000.Ms()), () =>
        {
            if (generation == _partitionGeneration) network.Heal();
        });
    }

    /// <summary>The live leader of the highest term, if any.</summary>
    private SimulatedNode? Leader() => nodes
        .Where(n => n.Raft is { Role: Role.Leader })
        .MaxBy(n => n.Raft!.Term);

    private SimulatedNode RandomNode() => nodes[world.Next(nodes.Count)];
}
