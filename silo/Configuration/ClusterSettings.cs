namespace RaftOrleans.Configuration;

/// <summary>The <c>[cluster]</c> section: how many Raft nodes there are, and where they run.</summary>
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

    /// <summary><c>mode</c>: every node in one silo (embedded, the default) or one silo per node (cluster).</summary>
    public ClusterMode Mode { get; init; } = ClusterMode.Embedded;

    /// <summary>
    /// <c>id</c>: the Orleans cluster id. Silos and clients join only a cluster of the same id, Redis keeps each
    /// id's membership apart, and every node's data directory records it. Default "raftorleans".
    /// </summary>
    public string Id { get; init; } = "raftorleans";

    /// <summary>
    /// <c>redis</c>: where cluster mode's membership lives, as StackExchange.Redis configuration ("host:port",
    /// optionally followed by ",option=value" pairs). Not used in embedded mode. Default "127.0.0.1:6379".
    /// </summary>
    public string Redis { get; init; } = "127.0.0.1:6379";

    /// <summary>The Raft node ids, 1..<see cref="Nodes"/> (also the node grains' integer keys).</summary>
    public IReadOnlyList<int> NodeIds => Enumerable.Range(1, Nodes).ToArray();

    /// <summary>How many nodes form a majority (a quorum): <c>Nodes / 2 + 1</c>.</summary>
    public int Majority => Nodes / 2 + 1;
}
