using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using RaftOrleans.Status;

namespace RaftOrleans.Metrics;

/// <summary>
/// The store's meter (<see cref="MeterName"/>), one per silo: counters and histograms recorded as things happen,
/// gauges read from the status each hosted node publishes every second (<see cref="Publish"/>). Every measurement
/// is tagged with the replica it is about: its group and node. The silo exports it, with Orleans' and the runtime's meters, at /metrics.
/// Recording costs an interlocked add when something listens and almost nothing when nothing does.
/// </summary>
public sealed class RaftMetrics
{
    public const string MeterName = "RaftOrleans";

    private readonly ConcurrentDictionary<(string Group, int Node), NodeStatus> _nodes = new();
    private readonly Counter<long> _proposals;
    private readonly Counter<long> _applied;
    private readonly Counter<long> _appendsSent;
    private readonly Counter<long> _appendsRejected;
    private readonly Counter<long> _electionsWon;
    private readonly Counter<long> _snapshotsTaken;
    private readonly Counter<long> _snapshotsInstalled;
    private readonly Counter<long> _readsServed;
    private readonly Counter<long> _gatewayRetries;
    private readonly Counter<long> _gatewayUnavailable;
    private readonly Counter<long> _gatewayRemoteAttempts;
    private readonly Histogram<double> _commitDuration;
    private readonly Histogram<double> _fsyncDuration;
    private readonly Histogram<long> _fsyncBatch;

    public RaftMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _proposals = meter.CreateCounter<long>("raftorleans.proposals", "{proposal}", "Writes proposed to a node that led (appended to its log)");
        _applied = meter.CreateCounter<long>("raftorleans.entries.applied", "{entry}", "Committed log entries handed to a node's state machine");
        _appendsSent = meter.CreateCounter<long>("raftorleans.append_entries.sent", "{message}", "AppendEntries sent by a leader, heartbeats included");
        _appendsRejected = meter.CreateCounter<long>("raftorleans.append_entries.rejected", "{message}", "AppendEntries a follower refused (its log did not match)");
        _electionsWon = meter.CreateCounter<long>("raftorleans.elections.won", "{election}", "Elections a node won");
        _snapshotsTaken = meter.CreateCounter<long>("raftorleans.snapshots.taken", "{snapshot}", "Snapshots a node took (its log compacted)");
        _snapshotsInstalled = meter.CreateCounter<long>("raftorleans.snapshots.installed", "{snapshot}", "Leaders' snapshots a node installed");
        _readsServed = meter.CreateCounter<long>("raftorleans.reads", "{read}", "Gets a leader answered through ReadIndex");
        _gatewayRetries = meter.CreateCounter<long>("raftorleans.gateway.retries", "{attempt}", "Attempts a gateway made after the first (another node, a leader hint)");
        _gatewayRemoteAttempts = meter.CreateCounter<long>("raftorleans.gateway.remote_attempts", "{attempt}",
            "Attempts a gateway sent to a node on another silo (cluster mode): a cross-process round trip more than on its own");
        _gatewayUnavailable = meter.CreateCounter<long>("raftorleans.gateway.unavailable", "{request}", "Requests a gateway answered Unavailable at its deadline");
        _commitDuration = meter.CreateHistogram<double>("raftorleans.commit.duration", "s", "From a write reaching its leader to its answer (committed and applied)",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5] });
        _fsyncDuration = meter.CreateHistogram<double>("raftorleans.fsync.duration", "s", "One write of a node's log to its disk, fsync included",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0001, 0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5] });
        _fsyncBatch = meter.CreateHistogram<long>("raftorleans.fsync.batch_size", "{entry}", "Log entries one disk write carried",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024] });

        meter.CreateObservableGauge("raftorleans.node.term", () => Each(s => s.Term), "{term}", "The node's current term");
        meter.CreateObservableGauge("raftorleans.node.leader", () => Each(s => s.Role == ClusterMembers.LeaderRole ? 1L : 0L), null, "1 while the node leads, else 0");
        meter.CreateObservableGauge("raftorleans.node.last_log_index", () => Each(s => s.LastLogIndex), "{entry}", "The last index of the node's log");
        meter.CreateObservableGauge("raftorleans.node.commit_index", () => Each(s => s.CommitIndex), "{entry}", "The highest index the node knows committed");
        meter.CreateObservableGauge("raftorleans.node.applied_index", () => Each(s => s.LastApplied), "{entry}", "The last index the node's state machine applied");
        meter.CreateObservableGauge("raftorleans.node.keys", () => Each(s => s.KeyCount), "{key}", "Keys in the node's state");
        meter.CreateObservableGauge("raftorleans.node.quiesced", () => Each(s => s.Quiesced ? 1L : 0L), null,
            "1 while the node's group is idle and the node quiesced (no heartbeats; raft.quiesce), else 0");
        meter.CreateObservableGauge("raftorleans.follower.lag", () => Followers((leader, f) => FollowerStatus.Behind(leader.LastLogIndex, f.MatchIndex)), "{entry}",
            "Entries of the leader's log a follower does not hold yet (on the leader)");
        meter.CreateObservableGauge("raftorleans.follower.last_contact", () => Followers((_, f) => f.SinceLastContactMs / 1000), "s",
            "Time since a follower last answered its leader (on the leader)");
    }

    /// <summary>A hosted node's latest status, for the gauges (its node grain publishes it every second).</summary>
    public void Publish(NodeStatus status) => _nodes[(status.Group, status.NodeId)] = status;

    /// <summary>The replica left this silo (deactivated): its gauges end.</summary>
    public void Forget(ReplicaTags replica) => _nodes.TryRemove((replica.Group, replica.Node), out _);

    public void Proposed(ReplicaTags r) => _proposals.Add(1, r.GroupTag, r.NodeTag);
    public void Committed(ReplicaTags r, TimeSpan took) => _commitDuration.Record(took.TotalSeconds, r.GroupTag, r.NodeTag);
    public void Applied(ReplicaTags r, int entries) => _applied.Add(entries, r.GroupTag, r.NodeTag);
    public void AppendsSent(ReplicaTags r, int count) => _appendsSent.Add(count, r.GroupTag, r.NodeTag);
    public void AppendsRejected(ReplicaTags r, int count) => _appendsRejected.Add(count, r.GroupTag, r.NodeTag);
    public void ElectionWon(ReplicaTags r) => _electionsWon.Add(1, r.GroupTag, r.NodeTag);
    public void SnapshotTaken(ReplicaTags r) => _snapshotsTaken.Add(1, r.GroupTag, r.NodeTag);
    public void SnapshotInstalled(ReplicaTags r) => _snapshotsInstalled.Add(1, r.GroupTag, r.NodeTag);
    public void ReadServed(ReplicaTags r) => _readsServed.Add(1, r.GroupTag, r.NodeTag);
    public void GatewayRetried() => _gatewayRetries.Add(1);
    public void GatewayUnavailable() => _gatewayUnavailable.Add(1);
    public void GatewayWentToAnotherSilo() => _gatewayRemoteAttempts.Add(1);

    public void Flushed(ReplicaTags r, TimeSpan took, int entries)
    {
        _fsyncDuration.Record(took.TotalSeconds, r.GroupTag, r.NodeTag);
        _fsyncBatch.Record(entries, r.GroupTag, r.NodeTag);
    }

    private static KeyValuePair<string, object?> GroupTag(NodeStatus status) => new("group", status.Group);
    private static KeyValuePair<string, object?> NodeTag(int node) => new("node", node);

    private IEnumerable<Measurement<long>> Each(Func<NodeStatus, long> value) =>
        _nodes.Values.Where(s => !s.Crashed).Select(s => new Measurement<long>(value(s), GroupTag(s), NodeTag(s.NodeId)));

    /// <remarks>
    /// A follower whose lag is unknown (<see cref="FollowerStatus.Behind"/>: it has not answered its new leader yet) is
    /// left out rather than shown as the whole log.
    /// </remarks>
    private IEnumerable<Measurement<double>> Followers(Func<NodeStatus, FollowerStatus, double?> value) =>
        _nodes.Values.Where(s => s.Role == ClusterMembers.LeaderRole).SelectMany(leader => leader.Followers
            .Select(f => (Value: value(leader, f), Follower: f.NodeId, Leader: leader.NodeId))
            .Where(m => m.Value is not null)
            .Select(m => new Measurement<double>(m.Value!.Value, GroupTag(leader), NodeTag(m.Leader), new KeyValuePair<string, object?>("follower", m.Follower))));
}

/// <summary>
/// The tags of one replica's measurements, its group and node, made once per replica: a measurement is taken on
/// every write, and must not allocate.
/// </summary>
public sealed class ReplicaTags
{
    public ReplicaTags(string group, int node)
    {
        Group = group;
        Node = node;
        GroupTag = new("group", group);
        NodeTag = new("node", node);
    }

    public string Group { get; }
    public int Node { get; }
    internal KeyValuePair<string, object?> GroupTag { get; }
    internal KeyValuePair<string, object?> NodeTag { get; }
}
