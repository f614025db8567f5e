using System.Security.Cryptography.X509Certificates;
using RaftOrleans.KeyValue.Sessions;
using RaftOrleans.Client.Connection;
using RaftOrleans.Client.Status;
using RaftOrleans.Configuration;
using RaftOrleans.Groups;
using RaftOrleans.KeyValue;

namespace RaftOrleans.Client.Commands;

/// <summary>
/// What every command works with: the configuration, the connected cluster, the two output streams, and the group
/// `--group` names (<paramref name="GroupName"/>; null: none named). Node-level commands act on <see cref="Group"/>:
/// the named group, else the first; key-value requests go to the named group, else to the group of their key.
/// </summary>
internal sealed record CommandContext(RaftConfig Config, IClusterClient Cluster, TextWriter Out, TextWriter Error, string? GroupName = null)
{
    /// <summary>raft.toml's groups, laid over the nodes as the silos lay them (<see cref="RaftGroups"/>).</summary>
    public RaftGroups Groups { get; } = ConfiguredClientSettings.GroupsOf(Config);

    /// <summary>The group node-level commands act on: the one --group names, else the first.</summary>
    public RaftGroup Group => GroupName is null ? Groups.All[0] : Groups[GroupName];

    /// <summary>The nodes of <see cref="Group"/>'s first configuration.</summary>
    public IReadOnlyList<int> NodeIds => Group.Members;

    /// <summary>
    /// How requests reach a gateway (one silo, or spread over the cluster's silos) and which group; what every KvSession
    /// needs. In embedded mode a lost connection ends a command at once (there is one silo to lose) rather than being resent.
    /// </summary>
    public GatewayRoute Route => _route ??= new(Cluster, ConfiguredClientSettings.From(Config), GroupName, resendLostConnections: false);

    private GatewayRoute? _route;

    /// <summary>The store through the client library, over <see cref="Route"/>, with <paramref name="attempts"/> gateway deadlines of patience per operation.</summary>
    public IKeyValueStore Store(int attempts = KvSession.DefaultAttempts) => new KeyValueStore(Route, Route.RequestTimeout * attempts);

    /// <summary>Node <paramref name="nodeId"/> of <see cref="Group"/>.</summary>
    public NodeHandle Node(int nodeId) => new(Cluster, Group.Name, nodeId, Route.SpreadOverSilos, Administrator, Config.Cluster.Id);

    /// <summary>raft.toml's tls.admin_certificate (with TLS on), loaded once; null when none is set.</summary>
    private X509Certificate2? Administrator => Config.Tls.Enabled ? (_administrator ??= new(() => ClusterCertificates.ForAdmin(Config.Tls)?.Own)).Value : null;

    private Lazy<X509Certificate2?>? _administrator;

    /// <summary>The status of <see cref="Group"/>'s nodes.</summary>
    /// <param name="nodeTimeout">How long one node may take to answer; shorter when polling for a leader, where a dead node must not set the pace.</param>
    public Task<ClusterSnapshot> ReadStatusAsync(TimeSpan? nodeTimeout = null) => ReadStatusAsync(Group, nodeTimeout);

    /// <summary>The status of <paramref name="group"/>'s nodes.</summary>
    public Task<ClusterSnapshot> ReadStatusAsync(RaftGroup group, TimeSpan? nodeTimeout = null) =>
        ClusterProbe.ReadAsync(Cluster, group.Name, group.Members, Route.SpreadOverSilos, nodeTimeout);
}
