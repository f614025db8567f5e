using RaftOrleans.Raft;

namespace RaftOrleans.Tests.Simulation;

/// <summary>
/// A node's stable storage: what survives a crash. Writes take effect at once (the simulation crashes nodes
/// only between batches, so a batch is either fully on disk or was never produced).
/// </summary>
internal sealed class SimulatedDisk
{
    private readonly List<LogEntry> _log = new();

    public HardState HardState { get; private set; } = HardState.Initial;

    public IReadOnlyList<LogEntry> Log => _log;

    public long LastIndex => _log.Count;

    public long LastTerm => TermAt(LastIndex);

    public long TermAt(long index) => index == 0 ? 0 : _log[(int)(index - 1)].Term;

    public void Save(HardState state) => HardState = state;

    /// <summary>Ready's contract: drop every entry at or after the first one's index, then append them all.</summary>
    public void Write(IReadOnlyList<LogEntry> entries)
    {
        if (entries.Count == 0) return;
        var first = entries[0].Index;
        if (first < 1 || first > LastIndex + 1)
            throw new InvariantViolation($"persist of entries from {first} onto a disk log ending at {LastIndex} leaves a gap");
        _log.RemoveRange((int)(first - 1), _log.Count - (int)(first - 1));
        foreach (var entry in entries)
        {
            if (entry.Index != LastIndex + 1)
                throw new InvariantViolation($"persist batch is not contiguous: {entry.Index} after {LastIndex}");
            _log.Add(entry);
        }
    }

    /// <summary>The deliberate storage bug of <see cref="SimulationSettings.DiskForgetsHardState"/>.</summary>
    public void ForgetHardState() => HardState = HardState.Initial;
}
