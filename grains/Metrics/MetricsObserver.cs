using RaftOrleans.Kv;
using RaftOrleans.Raft;
using RaftOrleans.Replica;

namespace RaftOrleans.Metrics;

/// <summary>Counts what one node's replica does (<see cref="IReplicaObserver{TResult}"/>) into the silo's <see cref="RaftMetrics"/>.</summary>
internal sealed class MetricsObserver(RaftMetrics metrics, int node) : IReplicaObserver<KvResult>
{
    private Role _role = Role.Follower;

    public void Applied(LogEntry entry, KvResult? result) => metrics.Applied(node, 1);

    public void ReadReleased(ReadState read) => metrics.ReadServed(node);

    public void SnapshotTaken(AppliedPoint state) => metrics.SnapshotTaken(node);

    public void SnapshotRestored(SnapshotInstall install) => metrics.SnapshotInstalled(node);

    public void SoftStateChanged(SoftState state)
    {
        if (state.Role == Role.Leader && _role != Role.Leader) metrics.ElectionWon(node);
        _role = state.Role;
    }

    public void BatchCarriedOut(Ready ready)
    {
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
