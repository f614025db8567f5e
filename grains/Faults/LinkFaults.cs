namespace RaftOrleans.Faults;

/// <summary>
/// The peers one node is cut off from (<see cref="IRaftNodeGrain.CutOff"/>): its transport drops what it would
/// send them and its grain drops what they send it, so one node's list makes a partition symmetric on its own.
/// Read on every message from any thread, replaced whole: a volatile reference to an immutable set.
/// </summary>
public sealed class LinkFaults
{
    private volatile IReadOnlySet<int> _cut = new HashSet<int>();

    public bool IsCut(int peer) => _cut.Contains(peer);

    public IReadOnlySet<int> CutPeers => _cut;

    public void CutOff(IEnumerable<int> peers) => _cut = peers.ToHashSet();
}
