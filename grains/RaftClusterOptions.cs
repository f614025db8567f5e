using System.Security.Cryptography.X509Certificates;
using RaftOrleans.Groups;
using RaftOrleans.Kv;
using RaftOrleans.Raft;
using RaftOrleans.Replica;

namespace RaftOrleans;

/// <summary>
/// What the node and gateway grains need from the configuration, as one DI singleton. Plain values with no
/// defaults of their own: the silo's RaftClusterOptionsFactory builds it from a validated raft.toml (whose
/// settings records hold the one copy of every default), and tests map the configuration's defaults through
/// the same factory.
/// </summary>
public sealed record RaftClusterOptions
{
    /// <summary>raft.toml's cluster.id: administrators' signatures name it (<see cref="AdminOrders"/>).</summary>
    public required string ClusterId { get; init; }

    /// <summary>The node slots 1..Nodes (cluster mode: the silos); each group's first configuration is some of them.</summary>
    public required int Nodes { get; init; }

    /// <summary>The Raft groups (raft.toml's [groups]), each with the nodes of its first configuration, all voters.</summary>
    public required RaftGroups Groups { get; init; }

    public required TimeSpan ElectionTimeoutMin { get; init; }
    public required TimeSpan ElectionTimeoutMax { get; init; }
    public required TimeSpan HeartbeatInterval { get; init; }
    public required int MaxEntriesPerAppend { get; init; }
    public required int MaxInflightAppends { get; init; }
    public required bool PreVote { get; init; }

    /// <summary>Idle groups quiesce (<see cref="Raft.RaftNode.Quiesced"/>); the silo's <see cref="SiloHeartbeatHost"/> stands in for their heartbeats.</summary>
    public bool Quiesce { get; init; } = true;

    /// <summary>How long a node waits for one peer's answer before counting that message as lost.</summary>
    public required TimeSpan RpcTimeout { get; init; }

    /// <summary>
    /// The silo clock's beat (<see cref="SiloClock"/>: a gap of two beats is a stall), and the shortest sleep of a node
    /// grain's timer, which otherwise wakes only when its core has something due. Finer than any Raft timer.
    /// </summary>
    public required TimeSpan TickInterval { get; init; }

    /// <summary>The gateway's deadline: past it a request answers Unavailable.</summary>
    public required TimeSpan RequestTimeout { get; init; }

    /// <summary>Applied entries after which a node snapshots its state and compacts its log.</summary>
    public required int SnapshotThreshold { get; init; }

    /// <summary>Entries kept in memory before the latest snapshot, for followers only a little behind.</summary>
    public required int SnapshotCatchUpEntries { get; init; }

    /// <summary>Most bytes per second each node streams in snapshot chunks (0: unpaced); see <see cref="Replica.SnapshotPace"/>.</summary>
    public long SnapshotSendBytesPerSecond { get; init; }

    /// <summary>
    /// Whether nodes accept fault-injection orders, <see cref="IRaftNodeGrain.Crash"/>, <see cref="IRaftNodeGrain.Restart"/>
    /// and <see cref="IRaftNodeGrain.CutOff"/> (raft.toml's [faults] enabled).
    /// </summary>
    public required bool FaultInjection { get; init; }

    /// <summary>How long a client's session lives without a write; recorded with every command the leader appends.</summary>
    public required TimeSpan SessionLifetime { get; init; }

    public required int MaxKeyBytes { get; init; }
    public required int MaxValueBytes { get; init; }

    /// <summary>Most requests one client connection may have unanswered at a silo (raft.toml's gateway.max_requests_in_flight).</summary>
    public required int MaxRequestsInFlight { get; init; }

    /// <summary>
    /// Whether clients may give administrative orders (<see cref="IRaftAdminGrain"/>): only when every gateway listens on a
    /// loopback address, so that every client is a user of a silo's own machine.
    /// </summary>
    public required bool AdminFromClients { get; init; }

    /// <summary>
    /// With TLS: why a certificate is not an administrator's of this cluster (role admin, issued by its authority), or
    /// null when it is; administrative orders signed with such a certificate are then taken from any client
    /// (<see cref="AdminOrders"/>). Null without TLS.
    /// </summary>
    public Func<X509Certificate2, string?>? AdminCertificateProblem { get; init; }

    /// <summary>
    /// The largest message a silo accepts, in bytes (Orleans' MessagingOptions.MaxMessageBodySize): room for the largest
    /// AppendEntries (<see cref="MaxEntriesPerAppend"/> entries of the largest key and value, with room for the command's
    /// own fields) or snapshot chunk, and 1 MiB more. Anything larger is no message of ours, and is not read into memory.
    /// </summary>
    public int MaxMessageBytes
    {
        get
        {
            const int entryOverhead = 256, margin = 1 << 20;
            var largestAppend = (long)MaxEntriesPerAppend * (MaxKeyBytes + MaxValueBytes + entryOverhead);
            return (int)Math.Min(Math.Max(largestAppend, ReplicaOptions.DefaultSnapshotChunkBytes) + margin, int.MaxValue);
        }
    }

    public IReadOnlyList<int> NodeIds => Enumerable.Range(1, Nodes).ToArray();

    /// <summary>
    /// What a client needs to know to number and route its requests (<see cref="IKvGatewayGrain.GetClientSettings"/>);
    /// the console derives the same from raft.toml (its ClientSettings; a test checks the two agree).
    /// </summary>
    public KvClientSettings ClientSettings =>
        KvClientSettings.For(Groups, RequestTimeout, OneNodePerSilo ? ElectionTimeoutMax : null, SessionLifetime, MaxRequestsInFlight);

    /// <summary>
    /// One silo per node (cluster mode) rather than one silo for all (embedded). Decides the silo names the
    /// placement puts each node on (<see cref="SiloNameOf"/>).
    /// </summary>
    public required bool OneNodePerSilo { get; init; }

    /// <summary>The nodes this silo starts: all of the first configuration's (embedded) or its own one (cluster mode).</summary>
    public required IReadOnlyList<int> HostedNodes { get; init; }

    /// <summary>
    /// Whether node <paramref name="node"/> lives on this silo: its own one in cluster mode; in embedded mode any node
    /// id, so that a node added by a membership change starts here too (on the first message its leader sends it).
    /// </summary>
    public bool Hosts(int node) => OneNodePerSilo ? HostedNodes.Contains(node) : node >= 1 && node <= ClusterConfig.MaxNodeId;

    /// <summary>
    /// The name (Orleans' <c>SiloOptions.SiloName</c>) of the one silo allowed to host <paramref name="node"/>:
    /// "raft-node-N" in cluster mode, the embedded silo's name otherwise.
    /// </summary>
    public string SiloNameOf(int node) => OneNodePerSilo ? $"raft-node-{node}" : "raft-embedded";

    /// <summary>This silo's own name, the one <see cref="SiloNameOf"/> gives for the nodes it hosts.</summary>
    public string SiloName => SiloNameOf(HostedNodes[0]);

    /// <summary>What the replica of node <paramref name="nodeId"/> of <paramref name="group"/> needs.</summary>
    public ReplicaOptions ForReplica(RaftGroup group, int nodeId) => new()
    {
        Raft = ForNode(group, nodeId),
        SnapshotThreshold = SnapshotThreshold,
        SnapshotCatchUpEntries = SnapshotCatchUpEntries,
        SnapshotSendBytesPerSecond = SnapshotSendBytesPerSecond,
    };

    public RaftOptions ForNode(RaftGroup group, int nodeId) => new()
    {
        NodeId = nodeId,
        Members = group.Members,
        ElectionTimeoutMin = ElectionTimeoutMin,
        ElectionTimeoutMax = ElectionTimeoutMax,
        HeartbeatInterval = HeartbeatInterval,
        MaxEntriesPerAppend = MaxEntriesPerAppend,
        MaxInflightAppends = MaxInflightAppends,
        PreVote = PreVote,
        Quiesce = Quiesce,
    };
}
