using RaftOrleans.Kv;
using RaftOrleans.Raft;
using RaftOrleans.Replica;

namespace RaftOrleans.Metrics;

/// <summary>
/// Counts what one node's replica does (<see cref="IReplicaObserver{TResult}"/>) into the silo's <see cref="RaftMetrics"/>.
/// The replica stops (like a crash) when an observer throws, so nothing here may: a metric that fails to record is lost, nothing else.
/// </summary>
internal sealed class MetricsObserver(RaftMetrics metrics, ReplicaTags node) : IReplicaObserver<KvResult>
{
    private Role _role = Role.Follower;

    public void Started(AppliedPoint state) => _role = Role.Follower; // a restarted node starts as a follower

    public void ReadReleased(ReadState read) => Safely(static (m, n, _) => m.ReadServed(n), 0);

    public void SnapshotTaken(AppliedPoint state) => Safely(static (m, n, _) => m.SnapshotTaken(n), 0);

    public void SnapshotRestored(SnapshotInstall install) => Safely(static (m, n, _) => m.SnapshotInstalled(n), 0);

    public void SoftStateChanged(SoftState state)
    {
        if (state.Role == Role.Leader && _role != Role.Leader) Safely(static (m, n, _) => m.ElectionWon(n), 0);
        _role = state.Role;
    }

    public void BatchCarriedOut(Ready ready) => Safely(Count, ready);

    /// <summary>Records, swallowing any failure (see the class comment); static callbacks, so nothing is allocated per call.</summary>
    private void Safely<T>(Action<RaftMetrics, ReplicaTags, T> record, T state)
    {
        try
        {
            record(metrics, node, state);
        }
        catch (Exception)
        {
            // see the class comment
        }
    }

    private static void Count(RaftMetrics metrics, ReplicaTags node, Ready ready)
    {
        // Entries handed to the state machine in this batch (once per batch, not per entry: this runs on every write).
        if (ready.CommittedEntries.Count > 0) metrics.Applied(node, ready.CommittedEntries.Count);
        var sent = 0;
        foreach (var message in ready.Messages)
        {
            if (message is AppendEntries) sent++;
        }
        if (sent > 0) metrics.AppendsSent(node, sent);
        var rejected = 0;
        foreach (var reply in ready.Replies)
        {
            if (reply is AppendEntriesReply { Success: false }) rejected++;
        }
        if (rejected > 0) metrics.AppendsRejected(node, rejected);
    }
}

/// <summary>Several observers of one replica, told in turn.</summary>
internal sealed class ReplicaObservers<TResult>(params IReplicaObserver<TResult>[] observers) : IReplicaObserver<TResult>
{
    public void Started(AppliedPoint state) { foreach (var o in observers) o.Started(state); }
    public void SnapshotAccepted(SnapshotInstall install) { foreach (var o in observers) o.SnapshotAccepted(install); }
    public void SnapshotRestored(SnapshotInstall install) { foreach (var o in observers) o.SnapshotRestored(install); }
    public void Applied(LogEntry entry, TResult? result) { foreach (var o in observers) o.Applied(entry, result); }
    public void ReadReleased(ReadState read) { foreach (var o in observers) o.ReadReleased(read); }
    public void SnapshotTaken(AppliedPoint state) { foreach (var o in observers) o.SnapshotTaken(state); }
    public void SoftStateChanged(SoftState state) { foreach (var o in observers) o.SoftStateChanged(state); }
    public void Failed(Exception error) { foreach (var o in observers) o.Failed(error); }
    public void BatchCarriedOut(Ready ready) { foreach (var o in observers) o.BatchCarriedOut(ready); }
}
