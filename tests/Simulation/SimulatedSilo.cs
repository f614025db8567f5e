namespace RaftOrleans.Tests.Simulation;

/// <summary>
/// One silo of the simulation: node N of every group, one process with one disk (<see cref="SimulatedDiskQueue"/>), as
/// the product's silo hosts node N of each group over its one log. A crash of any of its replicas is the crash of the
/// process: every replica on it crashes at that instant, and of the writes in flight of all of them the disk keeps a
/// prefix; a start of one of them is the process coming back: the others that are down start with it.
/// </summary>
internal sealed class SimulatedSilo(int id, SimulatedDiskQueue disk, SimulationTrace trace)
{
    private readonly List<SimulatedNode> _replicas = new();

    public SimulatedDiskQueue Disk => disk;

    public void Host(SimulatedNode replica) => _replicas.Add(replica);

    public void Crash()
    {
        disk.Crash();
        if (_replicas.Count > 1) trace.Write($"silo {id} crashes{(disk.LastTear is { } tear ? $": {tear}" : "")}");
        foreach (var replica in _replicas) replica.CrashReplica();
    }

    /// <summary>Starts <paramref name="first"/> (which must be down), then every other replica of the silo that is down.</summary>
    public void Start(SimulatedNode first)
    {
        first.StartReplica();
        foreach (var replica in _replicas.Where(r => r != first && !r.IsUp)) replica.StartReplica();
    }
}
