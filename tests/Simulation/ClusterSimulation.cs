using RaftOrleans.Raft;

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
/// </summary>
internal sealed class ClusterSimulation
{
    private readonly SimulationSettings _settings;
    private readonly EventQueue _queue = new();
    private readonly Random _world;
    private readonly SimulationTrace _trace;
    private readonly InvariantChecker _checker;
    private readonly SimulatedNetwork _network;
    private readonly SimulatedNode[] _nodes;
    private readonly SimulatedClient[] _clients;
    private readonly FaultInjector _faults;
    private readonly DurabilityCounters _counters = new();

    private ClusterSimulation(int seed, int nodeCount, bool trace, Func<SimulationSettings, SimulationSettings>? adjust)
    {
        _world = new Random(seed);
        var settings = SimulationSettings.Draw(seed, nodeCount, _world);
        _settings = adjust is null ? settings : adjust(settings);
        _trace = trace ? new SimulationTrace(_queue, capacity: 5000) : SimulationTrace.Off(_queue);
        _checker = new InvariantChecker(_queue);
        _network = new SimulatedNetwork(_queue, _world, _settings, _trace, _checker);
        _nodes = Enumerable.Range(1, _settings.TotalNodes)
            .Select(id => new SimulatedNode(id, _settings, _queue, _world, _network, _checker, _trace, _counters))
            .ToArray();
        _checker.Watch(_nodes);
        _network.Connect(_nodes);
        _clients = Enumerable.Range(1, _settings.ClientCount + _settings.ReaderCount)
            .Select(n => new SimulatedClient(n, _settings, _queue, _world, _nodes, _checker, _trace, readsOnly: n > _settings.ClientCount))
            .ToArray();
        _faults = new FaultInjector(_settings, _queue, _world, _network, _nodes, _trace, _counters);
    }

    public SimulationSettings Settings => _settings;

    /// <param name="adjust">Changes the drawn settings; only the test that plants a storage bug uses it.</param>
    public static SimulationOutcome Run(int seed, int nodeCount, bool trace = false,
        Func<SimulationSettings, SimulationSettings>? adjust = null) =>
        new ClusterSimulation(seed, nodeCount, trace, adjust).Execute();

    public static SimulationSettings SettingsOf(int seed, int nodeCount) => new ClusterSimulation(seed, nodeCount, false, null).Settings;

    private SimulationOutcome Execute()
    {
        string? violation = null;
        var settledAfter = TimeSpan.Zero;
        try
        {
            _trace.Write(_settings.ToString());
            foreach (var node in _nodes) node.Start();
            foreach (var client in _clients) client.Start();
            _faults.Start();
            while (_queue.Now < _settings.FaultPhase) RunNext(_settings.FaultPhase);

            _faults.HealAll();
            foreach (var client in _clients) client.Stop();
            settledAfter = AwaitLiveness(_queue.Now + _settings.LivenessBound);
            _checker.CheckConverged(Leader()!.Raft!.Configuration);
            foreach (var node in _nodes) node.CheckEveryCallAnswered(patience: TimeSpan.FromSeconds(1));
            if (_checker.AcknowledgedCount + _checker.ReadsAcknowledged == 0) throw new InvariantViolation("no client request was ever acknowledged");
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
        _counters.SessionsExpired = _checker.SessionsExpired;
        _counters.SessionExpiredAnswers = _checker.SessionsExpiredAnswers;
        return new SimulationOutcome(
            _settings.Seed, _settings.NodeCount, violation, Fingerprint(), _checker.AcknowledgedCount, _checker.Elections,
            _checker.CommittedCount, _nodes.Sum(n => n.Crashes), settledAfter, _queue.Processed, _counters, _trace.Lines);
    }

    /// <summary>Runs the next event due by <paramref name="until"/>; a replica that stopped itself in it fails the run.</summary>
    private bool RunNext(TimeSpan until)
    {
        var ran = _queue.RunNext(until);
        if (_checker.Failure is { } failure) throw failure;
        return ran;
    }

    /// <summary>
    /// Runs until the cluster is settled and returns how long that took after the heal, or fails with what is
    /// still missing if the deadline passes first.
    /// </summary>
    private TimeSpan AwaitLiveness(TimeSpan deadline)
    {
        var healedAt = _queue.Now;
        TimeSpan? leaderAt = null;
        while (true)
        {
            if (leaderAt is null && Leader() is not null) leaderAt = _queue.Now;
            if (Settled()) return _queue.Now - healedAt;
            if (RunNext(deadline)) continue;

            var waiting = _clients.Where(c => c.Current is not null).Select(c => $"client {c.Number} #{c.Current!.Sequence}");
            throw new InvariantViolation(
                $"liveness: healed at {healedAt.TotalMilliseconds:0} ms, still not settled at {deadline.TotalMilliseconds:0} ms; " +
                $"leader {(leaderAt is null ? "never elected" : $"since {leaderAt.Value.TotalMilliseconds:0} ms")}; " +
                $"waiting: [{string.Join(", ", waiting)}]; nodes: {string.Join("; ", _nodes.Select(Describe))}");
        }
    }

    /// <summary>
    /// Nothing left to do: no client waits, a leader of the newest term has committed its whole log, all members of its
    /// configuration applied it (a node removed, or never added, hears no more and is left as it is).
    /// </summary>
    private bool Settled()
    {
        if (_clients.Any(c => c.Current is not null)) return false;
        var leader = Leader()?.Raft;
        if (leader is null || leader.CommitIndex != leader.LastLogIndex) return false;
        return _nodes.Where(n => leader.Configuration.Contains(n.Id))
            .All(n => n.Raft is { } r && r.Term == leader.Term && r.LastLogIndex == leader.LastLogIndex
                      && n.Applied == leader.CommitIndex && !n.Disk.HasPending);
    }

    /// <summary>The leader of the newest term any node knows, if that term has one.</summary>
    private SimulatedNode? Leader()
    {
        long newest = 0;
        SimulatedNode? leader = null;
        foreach (var node in _nodes)
        {
            if (node.Raft is not { } raft) continue;
            if (raft.Term > newest) (newest, leader) = (raft.Term, null);
            if (raft.Term == newest && raft.Role == Role.Leader) leader = node;
        }
        return leader;
    }

    private static string Describe(SimulatedNode node) => node.Raft is { } r
        ? $"{node.Id}: {r.Role} t{r.Term} log {r.SnapshotIndex}..{r.LastLogIndex}/t{r.LastLogTerm} commit {r.CommitIndex} applied {node.Applied}"
        : $"{node.Id}: down";

    private string Fingerprint() =>
        $"events {_queue.Processed}, time {_queue.Now.Ticks}, sent {_network.Sent}, delivered {_network.Delivered}, " +
        $"committed {_checker.CommittedCount}, acknowledged {_checker.AcknowledgedCount}, elections {_checker.Elections}, " +
        $"{_counters}, " +
        $"nodes [{string.Join("; ", _nodes.Select(Describe))}], next draw {_world.Next()}";
}
