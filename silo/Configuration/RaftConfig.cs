namespace RaftOrleans.Configuration;

/// <summary>
/// The whole configuration read from <c>raft.toml</c>, one property per section. Every section and key is
/// optional in the file; what is missing keeps the default below. Build one with
/// <see cref="RaftConfigLoader.Load"/> / <see cref="RaftConfigLoader.Parse"/> (which validate), or in code
/// with <c>new RaftConfig { Raft = new RaftSettings { ... } }</c> and check it with
/// <see cref="RaftConfigValidator.Validate"/>.
/// </summary>
public sealed record RaftConfig
{
    /// <summary>The configuration used when <c>raft.toml</c> is empty.</summary>
    public static RaftConfig Default { get; } = new();

    /// <summary><c>[cluster]</c></summary>
    public ClusterSettings Cluster { get; init; } = new();

    /// <summary><c>[raft]</c></summary>
    public RaftSettings Raft { get; init; } = new();

    /// <summary><c>[silo]</c></summary>
    public SiloSettings Silo { get; init; } = new();

    /// <summary><c>[gateway]</c></summary>
    public GatewaySettings Gateway { get; init; } = new();

    /// <summary><c>[client]</c></summary>
    public ClientSettings Client { get; init; } = new();

    public StorageSettings Storage { get; init; } = new();
}
