using RaftOrleans.Raft;
using RaftOrleans.Storage;

namespace RaftOrleans.Tests.Simulation;

/// <summary>
/// A silo's one disk, shared by the replicas it hosts (one per group, as the product's silo log is): the writes of
/// all of them are carried out one after another in the order they were queued, each taking a virtual while, and each
/// completion runs as an event of its own. A crash of the silo (<see cref="Crash"/>) keeps of all the writes in flight,
/// whichever replica queued them, a prefix of their records (all, some, a torn part of one, or none): the unsynced
/// writes of every group on the silo are lost alike.
/// </summary>
internal sealed class SimulatedDiskQueue(EventQueue queue, Random world, SimulationSettings settings, DurabilityCounters counters)
{
    private readonly Queue<Write> _inFlight = new();
    private int _generation; // bumped by a crash: completions scheduled before it are void
    private bool _busy; // the head of _inFlight is being written

    /// <summary>What the last crash kept of the writes in flight, for the trace.</summary>
    public string? LastTear { get; private set; }

    public bool HasPending(SimulatedDisk owner) => _inFlight.Any(w => w.Owner == owner && !w.Dropped);

    public void Queue(Write write)
    {
        _inFlight.Enqueue(write);
        if (!_busy) StartNext();
    }

    /// <summary>The silo crashed: of the writes in flight, in order, a random prefix of their records reaches the disk.</summary>
    public void Crash()
    {
        _generation++;
        _busy = false;
        LastTear = null;
        if (_inFlight.Count > 0) TearInFlight();
    }

    /// <summary>
    /// One replica stopped on its own (the silo goes on): its writes not yet carried out are dropped, their
    /// completions never run; the others' go on.
    /// </summary>
    public void Drop(SimulatedDisk owner)
    {
        foreach (var write in _inFlight.Where(w => w.Owner == owner)) write.Dropped = true;
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
            _busy = false;
            if (!write.Dropped)
            {
                write.Owner.Carry(write, write.Records, keepHardState: true);
                // Durable now, in order; the node hears of it a little later, in an event of its own (as the real
                // storage's completions are continuations of their own), unless it crashes first. (The real ones may
                // even arrive out of order; here they do not: the next write takes at least as long as this delay.)
                queue.After(world.NextTime(TimeSpan.Zero, settings.DiskDelayMin), () =>
                {
                    if (generation == _generation && !write.Dropped) write.Done(null); // may queue the next write, which then starts itself
                });
            }
            StartNext();
        });
    }

    private void TearInFlight()
    {
        var writes = _inFlight.Where(w => !w.Dropped).ToArray();
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
            write.Owner.Carry(write, records, keepHardState: !dropHardState);
            remaining -= records;
        }
        if (writes.Length == 0) return;
        LastTear = $"{keep} of the {total} records of {writes.Length} writes in flight kept{(withoutHardState ? ", entries without their hard state" : "")}";
        counters.CrashesWithWritesInFlight++;
        if (keep == 0) counters.PersistLost++;
        else if (keep == total && !withoutHardState) counters.PersistCompleteUnsent++;
        else counters.PersistTorn++;
        if (withoutHardState) counters.PersistTornWithoutHardState++;
    }

    internal sealed record Write(SimulatedDisk Owner, HardState? HardState, LogEntry[] Entries, StoredSnapshot? Snapshot, bool DiscardLog, Action<Exception?> Done)
    {
        public int Records => Snapshot is not null ? 1 : (HardState is null ? 0 : 1) + Entries.Length;

        /// <summary>Its replica stopped on its own before it was carried out: it never is.</summary>
        public bool Dropped { get; set; }
    }
}
