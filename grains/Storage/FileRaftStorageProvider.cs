using System.Collections.Concurrent;
using RaftOrleans.Groups;
using RaftOrleans.State;

namespace RaftOrleans.Storage;

/// <summary>
/// The files of a silo's replicas under data_dir: one shared Raft log for all of them (<see cref="SiloLog"/>, in
/// <c>wal/</c>, or <c>wal-node-N/</c> for node N's silo in cluster mode) written by one <see cref="DurableWriter"/>, and
/// in each replica's directory <c>&lt;group&gt;/node-&lt;id&gt;</c> its snapshot file and, in <c>state/</c>, its state
/// machine's RocksDB engine (<see cref="RocksKvEngine"/>, behind a <see cref="BufferedKvEngine"/>). Disposed with the silo.
/// </summary>
public sealed class FileRaftStorageProvider : IRaftStorageProvider, IDisposable
{
    /// <summary>The log of a silo that hosts several nodes (embedded mode).</summary>
    public const string SharedLogName = "wal";

    private readonly string _dataDir;
    private readonly bool _fsync;
    private readonly string _clusterId;
    private readonly string _logName;
    private readonly Lazy<(SiloLog Log, DurableWriter Writer)> _log;
    private readonly ConcurrentDictionary<ReplicaId, Lazy<SiloLogReplica>> _replicas = new();
    private readonly ConcurrentDictionary<ReplicaId, Lazy<BufferedKvEngine>> _states = new();
    private int _disposed;

    /// <param name="clusterId">cluster.id: recorded in each node's directory (<see cref="NodeDirectoryOwner"/>), which refuses another cluster's.</param>
    /// <param name="logName">The directory of the silo's log under data_dir (<see cref="LogNameFor"/>).</param>
    public FileRaftStorageProvider(string dataDir, bool fsync, string clusterId, string logName = SharedLogName,
        long segmentBytes = SiloLog.DefaultSegmentBytes)
    {
        _dataDir = Path.GetFullPath(dataDir);
        _fsync = fsync;
        _clusterId = clusterId;
        _logName = logName;
        // Opened at the first replica's storage, after ClaimGroups: a refused data directory is left untouched.
        _log = new Lazy<(SiloLog, DurableWriter)>(() =>
        {
            var log = new SiloLog(Path.Combine(_dataDir, _logName), _fsync, NodeDirectory, segmentBytes);
            log.Open();
            return (log, new DurableWriter(log, _logName));
        });
    }

    /// <summary>The log of a silo: <c>wal-node-N</c> for node N's silo in cluster mode, <c>wal</c> for the silo of every node.</summary>
    public static string LogNameFor(RaftClusterOptions options) => options.OneNodePerSilo ? $"wal-node-{options.HostedNodes[0]}" : SharedLogName;

    /// <summary>The silo's log (opened on first use).</summary>
    public SiloLog Log => _log.Value.Log;

    public void ClaimGroups(RaftGroups groups) => DataDirectoryGroups.Claim(_dataDir, groups);

    public IRaftStorage For(string group, int nodeId) =>
        _replicas.GetOrAdd(new ReplicaId(group, nodeId), replica => new Lazy<SiloLogReplica>(() =>
        {
            var directory = NodeDirectory(replica);
            NodeDirectoryOwner.Claim(directory, replica.Group, replica.Node, _clusterId);
            ReplicaLogPlace.Claim(directory, _logName, replica, _fsync, beforeFirstClaim: () =>
            {
                if (LegacyNodeLog.Read(directory, replica) is { } legacy) Log.Adopt(replica, legacy); // its log of an earlier version, moved in
                else if (Log.Holds(replica)) ForgetWiped(replica, directory);
            });
            // Only now that LOG says where its log is; what a crash left of them is never read again, only deleted.
            LegacyNodeLog.Delete(directory, _fsync);
            return new SiloLogReplica(Log, replica);
        })).Value;

    public DurableWriter WriterFor(string group, int nodeId) => _log.Value.Writer;

    public IKvEngine StateFor(string group, int nodeId) =>
        _states.GetOrAdd(new ReplicaId(group, nodeId), replica => new Lazy<BufferedKvEngine>(() =>
            new BufferedKvEngine(RocksKvEngine.Open(Path.Combine(NodeDirectory(replica), "state"))))).Value;

    /// <summary>
    /// A replica directory without a LOG file whose records the log holds was wiped (the README's remedy for a damaged
    /// replica): it rejoins empty, as it did when its log lived in that directory. With a snapshot or a state still in it,
    /// it was not wiped but lost its LOG file: refused, since starting it empty would forget its term and vote.
    /// </summary>
    private void ForgetWiped(ReplicaId replica, string directory)
    {
        if (File.Exists(Path.Combine(directory, SnapshotFile.Name)) || Directory.Exists(Path.Combine(directory, "state")))
        {
            throw new InvalidDataException(
                $"{directory} has lost its {ReplicaLogPlace.FileName} file, but it holds {replica}'s snapshot or state and the silo's log " +
                $"holds its records: write \"{_logName}\" into {Path.Combine(directory, ReplicaLogPlace.FileName)} if this silo's log is its own, " +
                "or wipe the directory to make the replica rejoin empty");
        }
        Log.Adopt(replica, PersistedState.Empty);
    }

    private string NodeDirectory(ReplicaId replica) => Path.Combine(_dataDir, replica.Group, $"node-{replica.Node}");

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        if (_log.IsValueCreated)
        {
            _log.Value.Writer.Dispose();
            _log.Value.Log.Dispose();
        }
        foreach (var state in _states.Values.Where(s => s.IsValueCreated)) state.Value.Dispose();
    }
}
