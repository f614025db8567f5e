using RaftOrleans.Raft;
using RaftOrleans.Replica;
using RaftOrleans.Storage;

namespace RaftOrleans.Tests.Simulation;

/// <summary>
/// A replica's stable storage, asynchronous like the real one (a storage thread behind the replica): its writes go to
/// its silo's disk (<see cref="SimulatedDiskQueue"/>, shared by the replicas of every group on that silo), which
/// carries them out one after another, each taking a virtual while. It keeps two images: <see cref="Durable"/>, what a
/// restart finds, and <see cref="Written"/>, what the node has asked for so far (durable plus in flight), which the
/// checker holds every new write against. A crash of the silo keeps of the writes in flight a prefix of their records
/// (all, some, a torn part of one, or none); the rest is gone and their completions never run.
/// </summary>
internal sealed class SimulatedDisk(
    int nodeId, SimulatedDiskQueue disk, Random world, EventQueue queue, SimulationSettings settings, InvariantChecker checker) : IReplicaStorage
{
    public DiskImage Durable { get; private set; } = new();
    public DiskImage Written { get; private set; } = new();

    public bool HasPending => disk.HasPending(this);

    /// <summary>Writes queued so far, and of them those carried out (made durable, whole or torn, or dropped by a stop): they end in queue order.</summary>
    public long WritesQueued { get; private set; }
    public long WritesEnded { get; private set; }

    public bool CompactionWanted => settings.CompactionAskedRate > 0 && world.NextDouble() < settings.CompactionAskedRate;

    /// <summary>Raised when a write is queued: the fault injector may strike while it is in flight.</summary>
    public event Action<int>? WriteQueued;

    public PersistedState Load()
    {
        if (HasPending) throw new InvariantViolation($"node {nodeId} loads its disk with writes still in flight");
        return new PersistedState(Durable.HardState, Durable.Snapshot, Durable.Log.ToArray());
    }

    public void Persist(HardState? hardState, IReadOnlyList<LogEntry> entries, Action<Exception?> done)
    {
        checker.BeforePersist(nodeId, Written, hardState, entries);
        var copy = entries.ToArray(); // the replica's list belongs to its batch
        Written.Persist(hardState, copy);
        Queue(new SimulatedDiskQueue.Write(this, hardState, copy, null, false, done));
    }

    public void SaveSnapshot(StoredSnapshot snapshot, bool discardLog, Action<Exception?> done)
    {
        Written.SaveSnapshot(snapshot, discardLog);
        Queue(new SimulatedDiskQueue.Write(this, null, Array.Empty<LogEntry>(), snapshot, discardLog, done));
    }

    /// <summary>
    /// The replica stopped: after a crash of its silo (<see cref="SimulatedDiskQueue.Crash"/> kept what it kept of the
    /// writes in flight) nothing of it is in flight any more; a replica stopping alone drops its writes not carried out.
    /// </summary>
    public void Stop(Action stopped)
    {
        disk.Drop(this);
        WritesEnded = WritesQueued;
        if (settings.DiskForgetsHardState) Durable.HardState = HardState.Initial;
        Written = Durable.Clone();
        queue.After(TimeSpan.Zero, stopped);
    }

    private void Queue(SimulatedDiskQueue.Write write)
    {
        WritesQueued++;
        WriteQueued?.Invoke(write.Records); // a crash it arms strikes in a later event, with this write in flight
        disk.Queue(write);
    }

    /// <summary>Makes the first <paramref name="records"/> records of <paramref name="write"/> durable.</summary>
    internal void Carry(SimulatedDiskQueue.Write write, int records, bool keepHardState)
    {
        WritesEnded++;
        if (write.Snapshot is { } snapshot)
        {
            if (records >= 1) Durable.SaveSnapshot(snapshot, write.DiscardLog);
            return;
        }
        var hardState = write.HardState is not null && keepHardState && records >= 1 ? write.HardState : null;
        var entryRecords = write.HardState is null ? records : records - 1;
        Durable.Persist(hardState, write.Entries.AsSpan(0, Math.Clamp(entryRecords, 0, write.Entries.Length)).ToArray());
    }
}
