namespace RaftOrleans.Tests.Simulation;

/// <summary>
/// What one seed's run came to. <see cref="Violation"/> is null when every check held. <see cref="Fingerprint"/>
/// summarises the whole run (including how many random draws it made), so two runs of one seed can be
/// compared for determinism.
/// </summary>
internal sealed record SimulationOutcome(
    int Seed,
    int NodeCount,
    string? Violation,
    string Fingerprint,
    int Acknowledged,
    int Elections,
    long Committed,
    int Crashes,
    TimeSpan SettledAfterHeal,
    long Events,
    DurabilityCounters Counters,
    IReadOnlyCollection<string> Trace,
    int Groups = 1)
{
    public bool Passed => Violation is null;

    public string ReplayCommand => SimulationReplay.Command(Seed, NodeCount, Groups);
}
