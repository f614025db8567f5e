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

    /// <summary><c>[faults]</c></summary>
    public FaultSettings Faults { get; init; } = new();

    /// <summary><c>[tls]</c></summary>
    public TlsSettings Tls { get; init; } = new();

    /// <summary><c>[groups]</c> as written, in file order; empty when the file has none (see <see cref="GroupList"/>).</summary>
    public IReadOnlyList<GroupSettings> Groups { get; init; } = [];

    /// <summary>The store's Raft groups: those of [groups], or the one default group of cluster.nodes replicas.</summary>
    public IReadOnlyList<GroupSettings> GroupList =>
        Groups.Count > 0 ? Groups : [new GroupSettings(GroupSettings.DefaultName, Cluster.Nodes)];

    /// <summary>
    /// The silo-to-silo port of the silo hosting <paramref name="node"/> (null: the embedded silo, which hosts
    /// them all). In cluster mode node N's silo uses silo_port + N - 1, so the silos of one machine share a
    /// raft.toml.
    /// </summary>
    public int SiloPortOf(int? node) => Silo.SiloPort + PortOffset(node);

    /// <summary>The gateway port of the silo hosting <paramref name="node"/>; see <see cref="SiloPortOf"/>.</summary>
    public int GatewayPortOf(int? node) => Silo.GatewayPort + PortOffset(node);

    /// <summary>The HTTP port (status page, metrics) of the silo hosting <paramref name="node"/>, or null when off; see <see cref="SiloPortOf"/>.</summary>
    public int? HttpPortOf(int? node) => Silo.HttpPort == 0 ? null : Silo.HttpPort + PortOffset(node);

    private int PortOffset(int? node) => Cluster.Mode == ClusterMode.Cluster && node is { } id ? id - 1 : 0;
}
