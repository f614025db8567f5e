using RaftOrleans.Raft;

namespace RaftOrleans.Replica;

/// <summary>
/// What a replica tells whoever watches it, at the moment it happens: the simulation's invariant checker, and
/// later metrics. Every method has an empty default, so an observer implements only what it needs.
/// </summary>
public interface IReplicaObserver<in TResult>
{
    /// <summary>The replica has (re)started from its disk; its state machine opened at <paramref name="state"/>.</summary>
    void Started(AppliedPoint state) { }

    /// <summary>The core accepted a leader's snapshot, received whole; the state machine is about to take it.</summary>
    void SnapshotAccepted(SnapshotInstall install) { }

    /// <summary>The state machine's state was replaced by an accepted snapshot, durably.</summary>
    void SnapshotRestored(SnapshotInstall install) { }

    /// <summary>A committed entry was applied; <paramref name="result"/> is default for a leader's no-op.</summary>
    void Applied(LogEntry entry, TResult? result) { }

    /// <summary>A read is about to be answered from the state, as confirmed by the core.</summary>
    void ReadReleased(ReadState read) { }

    /// <summary>The replica made its state machine durable up to <paramref name="state"/>, took a view of it to send, and compacted its log there.</summary>
    void SnapshotTaken(AppliedPoint state) { }

    /// <summary>Role, leader or term changed.</summary>
    void SoftStateChanged(SoftState state) { }

    /// <summary>The replica stopped itself: the core met an impossible state, or the disk failed (see the log).</summary>
    void Failed(Exception error) { }

    /// <summary>A batch was carried out (sent, applied, answered): the replica is between steps.</summary>
    void BatchCarriedOut(Ready ready) { }
}

/// <summary>Watches nothing.</summary>
public sealed class NoReplicaObserver<TResult> : IReplicaObserver<TResult>
{
    public static readonly NoReplicaObserver<TResult> Instance = new();
}
