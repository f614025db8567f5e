using RaftOrleans.Replica;

namespace RaftOrleans.Tests.Simulation;

/// <summary>
/// One silo of the simulation: node N of every group, one process with one disk (<see cref="SimulatedDiskQueue"/>), as
/// the product's silo hosts node N of each group over its one log. A crash of any of its replicas is the crash of the
/// process: every replica on it crashes at that instant, and of the writes in flight of all of them the disk keeps a
/// prefix; a start of one of them is the process coming back: the others that are down start with it.
/// It also runs the product's <see cref="SiloHeartbeats"/> for its quiesced replicas, beating every heartbeat interval
/// through <paramref name="send"/> (the run carries each beat over its group's network, with that network's delays,
/// drops and partitions). The beat goes on while the silo is down, as it would not: a down silo's replicas have
/// left it (their crash), so it has nothing to beat for.
/// </summary>
internal sealed class SimulatedSilo
{
    private readonly List<SimulatedNode> _replicas = new();
    private readonly int _id;
    private readonly SimulatedDiskQueue _disk;
    private readonly SimulationTrace _trace;

    public SimulatedSilo(int id, SimulatedDiskQueue disk, SimulationTrace trace, SimulationSettings settings, EventQueue queue,
        Action<int, int, QuiescedBeat[]> send)
    {
        _id = id;
        _disk = disk;
        _trace = trace;
        Heartbeats = new SiloHeartbeats(settings.ElectionTimeoutMin, () => queue.Now, node => node == id, (to, beats) => send(id, to, beats));
        if (!settings.Quiesce) return;
        void Beat()
        {
            Heartbeats.Beat();
            queue.After(settings.HeartbeatInterval, Beat);
        }
        queue.After(settings.HeartbeatInterval, Beat);
    }

    public SimulatedDiskQueue Disk => _disk;

    public SiloHeartbeats Heartbeats { get; }

    public void Host(SimulatedNode replica) => _replicas.Add(replica);

    public void Crash()
    {
        _disk.Crash();
        if (_replicas.Count > 1) _trace.Write($"silo {_id} crashes{(_disk.LastTear is { } tear ? $": {tear}" : "")}");
        foreach (var replica in _replicas) replica.CrashReplica();
    }

    /// <summary>Starts <paramref name="first"/> (which must be down), then every other replica of the silo that is down.</summary>
    public void Start(SimulatedNode first)
    {
        first.StartReplica();
        foreach (var replica in _replicas.Where(r => r != first && !r.IsUp)) replica.StartReplica();
    }
}
