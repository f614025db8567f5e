using RaftOrleans.Raft;
using RaftOrleans.Storage;

namespace RaftOrleans.Replica;

/// <summary>
/// What a replica tells whoever watches it, at the moment it happens: the simulation's invariant checker, and
/// later metrics. Every method has an empty default, so an observer implements only what it needs.
/// </summary>
public interface IReplicaObserver<in TResult>
{
    /// <summary>The replica has (re)started from its disk; <paramref name="snapshot"/> is what its state was restored from.</summary>
    void Started(StoredSnapshot? snapshot) { }

    /// <summary>The core accepted a leader's snapshot; its received bytes are about to be saved.</summary>
    void SnapshotAccepted(SnapshotInstall install, byte[] data) { }

    /// <summary>The state machine was replaced by an accepted snapshot, now durable.</summary>
    void SnapshotRestored(StoredSnapshot snapshot) { }

    /// <summary>A committed entry was applied; <paramref name="result"/> is default for a leader's no-op.</summary>
    void Applied(LogEntry entry, TResult? result) { }

    /// <summary>A read is about to be answered from the state, as confirmed by the core.</summary>
    void ReadReleased(ReadState read) { }

    /// <summary>The replica snapshotted its own state machine (the save is queued) and compacted its log.</summary>
    void SnapshotTaken(StoredSnapshot snapshot) { }

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
