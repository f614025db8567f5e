using RaftOrleans.Raft;
using RaftOrleans.Replica;

namespace RaftOrleans.Tests.Simulation;

/// <summary>
/// One deterministic run of a whole cluster in one thread on virtual time. Everything random comes from one
/// <see cref="Random"/> seeded with the run's seed (each node's own generator is seeded from it), so a seed
/// replays exactly. The run has two halves:
/// 1. the fault phase: clients send requests while the network drops, delays, duplicates and reorders
///    messages and nodes crash (some while writes are in flight, which their disks then keep in part or not at
///    all), restart from what their disks made durable and get partitioned; nodes snapshot and compact their logs and leaders bring
///    followers that fell behind up to date with InstallSnapshot; every step is checked for safety;
/// 2. the heal: all faults stop, clients finish what they started, and within the liveness bound a leader
///    must be elected, every pending request answered and every node caught up to the same state.
/// With several groups (<see cref="SimulationSettings.Groups"/>), node N of every group lives on silo N and shares its
/// disk: a crash takes down every replica of the silo and loses their unsynced writes alike, and every invariant is
/// checked per group.
/// </summary>
internal sealed class ClusterSimulation
{
    private readonly SimulationSettings _settings;
    private readonly EventQueue _queue = new();
    private readonly Random _world;
    private readonly SimulationTrace _trace;
    private readonly SimulatedSilo[] _silos;
    private readonly SimulatedGroup[] _groups;
    private readonly DurabilityCounters _counters = new();

    private ClusterSimulation(int seed, int nodeCount, int groups, bool trace, Func<SimulationSettings, SimulationSettings>? adjust)
    {
        _world = new Random(seed);
        var settings = SimulationSettings.Draw(seed, nodeCount, _world) with { Groups = groups };
        _settings = adjust is null ? settings : adjust(settings);
        _trace = trace ? new SimulationTrace(_queue, capacity: 5000) : SimulationTrace.Off(_queue);
        _silos = Enumerable.Range(1, _settings.TotalNodes)
            .Select(id => new SimulatedSilo(id, new SimulatedDiskQueue(_queue, _world, _settings, _counters), _trace, _settings, _queue, SendBeats))
            .ToArray();
        _groups = Enumerable.Range(0, _settings.Groups)
            .Select(n => new SimulatedGroup(SimulatedGroup.NameOf(n), _settings, _queue, _world, _trace, _counters, _silos))
            .ToArray();
    }

    /// <summary>
    /// A silo's heartbeat for its quiesced replicas: each group's beat travels over that group's network (its delays,
    /// drops and partitions), to the silo of node <paramref name="to"/>.
    /// </summary>
    private void SendBeats(int from, int to, QuiescedBeat[] beats)
    {
        foreach (var beat in beats)
        {
            _groups[SimulatedGroup.NumberOf(beat.Group)].Network.Deliver(from, to, () => _silos[to - 1].Heartbeats.Received(to, [beat]));
        }
    }

    public SimulationSettings Settings => _settings;

    /// <param name="groups">Raft groups sharing the silos (and their disks).</param>
    /// <param name="adjust">Changes the drawn settings; only the test that plants a storage bug uses it.</param>
    public static SimulationOutcome Run(int seed, int nodeCount, int groups = 1, bool trace = false,
        Func<SimulationSettings, SimulationSettings>? adjust = null) =>
        new ClusterSimulation(seed, nodeCount, groups, trace, adjust).Execute();

    public static SimulationSettings SettingsOf(int seed, int nodeCount, int groups = 1) =>
        new ClusterSimulation(seed, nodeCount, groups, false, null).Settings;

    private IEnumerable<SimulatedNode> AllNodes => _groups.SelectMany(g => g.Nodes);

    private SimulationOutcome Execute()
    {
        string? violation = null;
        var settledAfter = TimeSpan.Zero;
        try
        {
            _trace.Write(_settings.ToString());
            foreach (var node in _groups[0].Nodes) node.Start(); // each starts its silo: node N of every group
            foreach (var group in _groups) group.Start();
            while (_queue.Now < _settings.FaultPhase) RunNext(_settings.FaultPhase);

            foreach (var group in _groups) group.Heal();
            settledAfter = AwaitLiveness(_queue.Now + _settings.LivenessBound);
            foreach (var group in _groups) group.CheckSettledRun();
        }
        catch (InvariantViolation v)
        {
            violation = v.Message;
        }
        catch (Exception e)
        {
            // The core refuses to go on when it detects a broken invariant itself (e.g. a conflict with a
            // committed entry); that, or a bug in the simulation, fails the seed like any violated check.
            violation = $"at {_queue.Now.TotalMilliseconds:0.###} ms: {e.GetType().Name}: {e.Message}\n{e.StackTrace}";
        }
        _trace.Write(violation is null ? "run passed" : $"VIOLATION {violation}");
        _counters.SessionsExpired = _groups.Sum(g => g.Checker.SessionsExpired);
        _counters.SessionExpiredAnswers = _groups.Sum(g => g.Checker.SessionsExpiredAnswers);
        return new SimulationOutcome(
            _settings.Seed, _settings.NodeCount, violation, Fingerprint(), _groups.Sum(g => g.Checker.AcknowledgedCount),
            _groups.Sum(g => g.Checker.Elections), _groups.Sum(g => g.Checker.CommittedCount), AllNodes.Sum(n => n.Crashes),
            settledAfter, _queue.Processed, _counters, _trace.Lines, _settings.Groups);
    }

    /// <summary>Runs the next event due by <paramref name="until"/>; a replica that stopped itself in it fails the run.</summary>
    private bool RunNext(TimeSpan until)
    {
        var ran = _queue.RunNext(until);
        foreach (var group in _groups)
        {
            if (group.Checker.Failure is { } failure) throw failure;
        }
        return ran;
    }

    /// <summary>
    /// Runs until every group is settled and returns how long that took after the heal, or fails with what is
    /// still missing if the deadline passes first.
    /// </summary>
    private TimeSpan AwaitLiveness(TimeSpan deadline)
    {
        var healedAt = _queue.Now;
        while (true)
        {
            if (_groups.All(g => g.Settled())) return _queue.Now - healedAt;
            if (RunNext(deadline)) continue;

            var unsettled = _groups.Select((g, i) => (Group: g, Number: i + 1)).Where(g => !g.Group.Settled())
                .Select(g => $"{(_groups.Length > 1 ? $"group {g.Number}: " : "")}leader {(g.Group.Leader() is { } l ? $"node {l.Id}" : "none")}; " +
                             $"waiting: [{string.Join(", ", g.Group.Waiting)}]; nodes: {g.Group.DescribeNodes()}");
            throw new InvariantViolation(
                $"liveness: healed at {healedAt.TotalMilliseconds:0} ms, still not settled at {deadline.TotalMilliseconds:0} ms; " +
                string.Join(" | ", unsettled));
        }
    }

    private string Fingerprint() =>
        $"events {_queue.Processed}, time {_queue.Now.Ticks}, sent {_groups.Sum(g => g.Network.Sent)}, delivered {_groups.Sum(g => g.Network.Delivered)}, " +
        $"committed {_groups.Sum(g => g.Checker.CommittedCount)}, acknowledged {_groups.Sum(g => g.Checker.AcknowledgedCount)}, elections {_groups.Sum(g => g.Checker.Elections)}, " +
        $"{_counters}, " +
        $"nodes [{string.Join(" | ", _groups.Select(g => g.DescribeNodes()))}], next draw {_world.Next()}";
}
