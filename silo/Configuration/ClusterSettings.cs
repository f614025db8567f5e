namespace RaftOrleans.Configuration;

/// <summary>The <c>[cluster]</c> section: how many Raft nodes there are.</summary>
public sealed record ClusterSettings
{
    /// <summary>The smallest allowed cluster: one node (no fault tolerance, but a valid Raft group).</summary>
    public const int MinNodes = 1;

    /// <summary>
    /// The largest allowed cluster. Raft clusters are small (3, 5, occasionally 7): every write waits for a
    /// majority, so each extra node adds traffic and latency without adding much safety.
    /// </summary>
    public const int MaxNodes = 9;

    /// <summary><c>nodes</c>: number of Raft nodes. Node ids are 1..<see cref="Nodes"/>. Default 5.</summary>
    public int Nodes { get; init; } = 5;

    /// <summary>The Raft node ids, 1..<see cref="Nodes"/> (also the node grains' integer keys).</summary>
    public IReadOnlyList<int> NodeIds => Enumerable.Range(1, Nodes).ToArray();

    /// <summary>How many nodes form a majority (a quorum): <c>Nodes / 2 + 1</c>.</summary>
    public int Majority => Nodes / 2 + 1;
}
