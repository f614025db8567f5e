using RaftOrleans.Raft;

namespace RaftOrleans.Tests.Simulation;

/// <summary>
/// One Raft group of a run: its nodes (one on each silo), its network, its clients, its faults and its own
/// <see cref="InvariantChecker"/>, so every invariant is checked per group. Groups share the run's virtual time,
/// random draws and silos: a silo's crash takes down its replica of every group, and its disk loses their unsynced
/// writes alike.
/// </summary>
internal sealed class SimulatedGroup
{
    private readonly EventQueue _queue;
    private readonly InvariantChecker _checker;
    private readonly SimulatedNetwork _network;
    private readonly SimulatedNode[] _nodes;
    private readonly SimulatedClient[] _clients;
    private readonly FaultInjector _faults;

    public SimulatedGroup(string name, SimulationSettings settings, EventQueue queue, Random world, SimulationTrace trace,
        DurabilityCounters counters, IReadOnlyList<SimulatedSilo> silos)
    {
        _queue = queue;
        _checker = new InvariantChecker(queue);
        _network = new SimulatedNetwork(queue, world, settings, trace, _checker);
        _nodes = Enumerable.Range(1, settings.TotalNodes)
            .Select(id => new SimulatedNode(id, name, settings, queue, world, _network, _checker, trace, counters, silos[id - 1]))
            .ToArray();
        _checker.Watch(_nodes);
        _network.Connect(_nodes);
        _clients = Enumerable.Range(1, settings.ClientCount + settings.ReaderCount)
            .Select(n => new SimulatedClient(n, settings, queue, world, _nodes, _checker, trace, readsOnly: n > settings.ClientCount))
            .ToArray();
        _faults = new FaultInjector(settings, queue, world, _network, _nodes, trace, counters);
    }

    /// <summary>The name of the run's group number <paramref name="number"/> (from 0), as replicas and silo heartbeats name it.</summary>
    public static string NameOf(int number) => $"g{number}";

    public static int NumberOf(string name) => int.Parse(name.AsSpan(1));

    public InvariantChecker Checker => _checker;
    public SimulatedNetwork Network => _network;
    public IReadOnlyList<SimulatedNode> Nodes => _nodes;

    /// <summary>Starts the clients and the faults (the nodes start with their silos).</summary>
    public void Start()
    {
        foreach (var client in _clients) client.Start();
        _faults.Start();
    }

    public void Heal()
    {
        _faults.HealAll();
        foreach (var client in _clients) client.Stop();
    }

    /// <summary>The checks after the heal: one configuration's members converged, every call answered, something acknowledged.</summary>
    public void CheckSettledRun()
    {
        _checker.CheckConverged(Leader()!.Raft!.Configuration);
        foreach (var node in _nodes) node.CheckEveryCallAnswered(patience: TimeSpan.FromSeconds(1));
        if (_checker.AcknowledgedCount + _checker.ReadsAcknowledged == 0) throw new InvariantViolation("no client request was ever acknowledged");
    }

    public IEnumerable<string> Waiting => _clients.Where(c => c.Current is not null).Select(c => $"client {c.Number} #{c.Current!.Sequence}");

    /// <summary>
    /// Nothing left to do: no client waits, a leader of the newest term has committed its whole log, all members of its
    /// configuration applied it (a node removed, or never added, hears no more and is left as it is).
    /// </summary>
    public bool Settled()
    {
        if (_clients.Any(c => c.Current is not null)) return false;
        var leader = Leader()?.Raft;
        if (leader is null || leader.CommitIndex != leader.LastLogIndex) return false;
        return _nodes.Where(n => leader.Configuration.Contains(n.Id))
            .All(n => n.Raft is { } r && r.Term == leader.Term && r.LastLogIndex == leader.LastLogIndex
                      && n.Applied == leader.CommitIndex && !n.Disk.HasPending);
    }

    /// <summary>The leader of the newest term any node knows, if that term has one.</summary>
    public SimulatedNode? Leader()
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

    public string DescribeNodes() => string.Join("; ", _nodes.Select(Describe));

    private static string Describe(SimulatedNode node) => node.Raft is { } r
        ? $"{node.Id}: {r.Role} t{r.Term} log {r.SnapshotIndex}..{r.LastLogIndex}/t{r.LastLogTerm} commit {r.CommitIndex} applied {node.Applied}"
        : $"{node.Id}: down";
}
