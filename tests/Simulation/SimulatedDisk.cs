using RaftOrleans.Raft;
using RaftOrleans.Replica;
using RaftOrleans.Storage;

namespace RaftOrleans.Tests.Simulation;

/// <summary>
/// A node's stable storage, asynchronous like the real one (a storage thread behind the replica): each write
/// takes a virtual while, writes complete one after another in the order they were queued, and each
/// completion runs as an event of its own. It keeps two images: <see cref="Durable"/>, what a restart finds, and
/// <see cref="Written"/>, what the node has asked for so far (durable plus in flight), which the checker holds
/// every new write against. A crash (<see cref="Stop"/>) keeps of the writes in flight a prefix of their records
/// (all, some, a torn part of one, or none); the rest is gone and their completions never run.
/// </summary>
internal sealed class SimulatedDisk(
    int nodeId, EventQueue queue, Random world, SimulationSettings settings, InvariantChecker checker,
    DurabilityCounters counters) : IReplicaStorage
{
    private readonly Queue<Write> _inFlight = new();
    private int _generation; // bumped by a crash: completions scheduled before it are void
    private bool _busy; // the head of _inFlight is being written

    public DiskImage Durable { get; private set; } = new();
    public DiskImage Written { get; private set; } = new();

    public bool HasPending => _inFlight.Count > 0;

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
        Queue(new Write(hardState, copy, null, false, done));
    }

    public void SaveSnapshot(StoredSnapshot snapshot, bool discardLog, Action<Exception?> done)
    {
        Written.SaveSnapshot(snapshot, discardLog);
        Queue(new Write(null, Array.Empty<LogEntry>(), snapshot, discardLog, done));
    }

    /// <summary>
    /// The node crashed. Of the writes in flight, in order, a random prefix of their records reaches the disk: a
    /// persist's records are its hard state then its entries (torn so that entries survive without the hard state
    /// written with them, half the time that is possible); a snapshot save is one record, atomic.
    /// </summary>
    public void Stop(Action stopped)
    {
        _generation++;
        _busy = false;
        LastTear = null;
        if (_inFlight.Count > 0) TearInFlight();
        if (settings.DiskForgetsHardState) Durable.HardState = HardState.Initial;
        Written = Durable.Clone();
        queue.After(TimeSpan.Zero, stopped);
    }

    private void Queue(Write write)
    {
        _inFlight.Enqueue(write);
        WriteQueued?.Invoke(write.Records);
        if (!_busy) StartNext();
    }

    private void StartNext()
    {
        if (_inFlight.Count == 0) return;
        _busy = true;
        var generation = _generation;
        queue.After(world.NextTime(settings.DiskDelayMin, settings.DiskDelayMax), () =>
        {
            if (generation != _generation) return;
            var write = _inFlight.Dequeue();
            Carry(write, write.Records, keepHardState: true);
            _busy = false;
            // Durable now, in order; the node hears of it a little later, in an event of its own (as the real
            // storage's completions are continuations of their own), unless it crashes first. (The real ones may
            // even arrive out of order; here they do not: the next write takes at least as long as this delay.)
            queue.After(world.NextTime(TimeSpan.Zero, settings.DiskDelayMin), () =>
            {
                if (generation == _generation) write.Done(null); // may queue the next write, which then starts itself
            });
            StartNext();
        });
    }

    private void TearInFlight()
    {
        var writes = _inFlight.ToArray();
        _inFlight.Clear();
        var total = writes.Sum(w => w.Records);
        var keep = world.Next(total + 1);
        var remaining = keep;
        var withoutHardState = false;
        foreach (var write in writes)
        {
            if (remaining <= 0) break;
            var records = Math.Min(remaining, write.Records);
            // Entries may survive where the hard state written with them did not (the file storage orders
            // nothing inside one write, and this write never completed): half the time that is possible.
            var dropHardState = write.HardState is not null && records >= 2 && world.Chance(0.5);
            withoutHardState |= dropHardState;
            Carry(write, records, keepHardState: !dropHardState);
            remaining -= records;
        }
        LastTear = $"{keep} of the {total} records of {writes.Length} writes in flight kept{(withoutHardState ? ", entries without their hard state" : "")}";
        counters.CrashesWithWritesInFlight++;
        if (keep == 0) counters.PersistLost++;
        else if (keep == total && !withoutHardState) counters.PersistCompleteUnsent++;
        else counters.PersistTorn++;
        if (withoutHardState) counters.PersistTornWithoutHardState++;
    }

    /// <summary>What the last crash kept of the writes in flight, for the trace.</summary>
    public string? LastTear { get; private set; }

    /// <summary>Makes the first <paramref name="records"/> records of <paramref name="write"/> durable.</summary>
    private void Carry(Write write, int records, bool keepHardState)
    {
        if (write.Snapshot is { } snapshot)
        {
            if (records >= 1) Durable.SaveSnapshot(snapshot, write.DiscardLog);
            return;
        }
        var hardState = write.HardState is not null && keepHardState && records >= 1 ? write.HardState : null;
        var entryRecords = write.HardState is null ? records : records - 1;
        Durable.Persist(hardState, write.Entries.AsSpan(0, Math.Clamp(entryRecords, 0, write.Entries.Length)).ToArray());
    }

    private sealed record Write(HardState? HardState, LogEntry[] Entries, StoredSnapshot? Snapshot, bool DiscardLog, Action<Exception?> Done)
    {
        public int Records => Snapshot is not null ? 1 : (HardState is null ? 0 : 1) + Entries.Length;
    }
}
