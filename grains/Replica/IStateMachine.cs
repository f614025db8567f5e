using RaftOrleans.Raft;

namespace RaftOrleans.Replica;

/// <summary>
/// What the replica replicates, seen from the replica: committed entries in, results out, and the state kept in
/// storage of its own (an embedded engine), so that a restart opens the state as it was instead of rebuilding it.
/// The state records the last entry applied (index and term) in the same atomic write as the changes of the
/// entries, so what survives a crash is always the state as of one applied index, never ahead of its data.
/// The replica knows nothing else of it (the KV map implements it). Deterministic: every replica feeds it the same
/// entries in the same order and must end in the same state.
/// </summary>
public interface IStateMachine<in TQuery, out TResult>
{
    /// <summary>
    /// (Re)opens the state as its storage holds it (after a crash: whatever survived) and says up to which entry
    /// it has applied the log. Called at every start of the node.
    /// </summary>
    AppliedPoint Open();

    /// <summary>The last entry applied (index 0 for the empty state).</summary>
    AppliedPoint Applied { get; }

    /// <summary>
    /// Applies committed entries, in order, in one write to storage, and returns one result per entry (default for a
    /// leader's no-op and a configuration entry, whose configuration it keeps: see <see cref="Configuration"/>). Every entry follows <see cref="Applied"/> directly.
    /// </summary>
    IReadOnlyList<TResult?> Apply(IReadOnlyList<LogEntry> entries);

    /// <summary>Answers a read from the current state, without changing it.</summary>
    TResult Query(TQuery query);

    /// <summary>Makes everything applied so far survive a power failure (the Raft log may then forget it).</summary>
    void MakeDurable();

    /// <summary>
    /// A consistent view of the state as applied now, to stream to followers while applying goes on. Cheap to take
    /// on disk (RocksDB pins a version and copies nothing; the in-memory engine of tests copies). Dispose it when no
    /// longer needed.
    /// </summary>
    IStateSnapshot TakeSnapshot();

    /// <summary>
    /// Starts receiving a leader's snapshot of the state at (<paramref name="index"/>, <paramref name="term"/>), chunk
    /// by chunk. The state changes only when the install is committed, and then atomically and durably.
    /// </summary>
    IStateInstall BeginInstall(long index, long term);

    /// <summary>A fingerprint of the state (equal states, equal fingerprints), to compare replicas without shipping it.</summary>
    string Fingerprint { get; }

    /// <summary>How many items the state holds (keys, for the KV map).</summary>
    long Count { get; }

    /// <summary>
    /// The cluster configuration of the last <see cref="LogEntryKind.Config"/> entry applied (null if none ever was). The
    /// state machine keeps it with the state, in the same atomic write, so it is in every snapshot: it is Raft's
    /// configuration at the applied index, which a restart or an installed snapshot needs once the log has forgotten it.
    /// </summary>
    ClusterConfig? Configuration { get; }
}

/// <summary>The last log entry a state has applied: its index and term (0, 0 for the empty state).</summary>
public readonly record struct AppliedPoint(long Index, long Term)
{
    public override string ToString() => $"({Index},t{Term})";
}

/// <summary>A frozen view of a state machine's state (see <see cref="IStateMachine{TQuery,TResult}.TakeSnapshot"/>).</summary>
public interface IStateSnapshot : IDisposable
{
    /// <summary>The entry the view's state has applied up to.</summary>
    AppliedPoint Point { get; }

    /// <summary>Starts one transfer of the view: its chunks, in order. Several may run at once.</summary>
    ISnapshotReader OpenReader();
}

/// <summary>One transfer of a snapshot: chunks of about the asked size, the last one marked.</summary>
public interface ISnapshotReader : IDisposable
{
    /// <summary>The next chunk (about <paramref name="maxBytes"/> bytes; more if one item is larger), and whether it is the last.</summary>
    (byte[] Chunk, bool Last) Next(int maxBytes);
}

/// <summary>A snapshot being received (see <see cref="IStateMachine{TQuery,TResult}.BeginInstall"/>). Disposing it uncommitted throws it away.</summary>
public interface IStateInstall : IDisposable
{
    /// <summary>Takes the next chunk, in order. Throws <see cref="FormatException"/> for a chunk that does not decode.</summary>
    void Write(ReadOnlySpan<byte> chunk);

    /// <summary>
    /// Replaces the state machine's whole state by the received one, atomically and durably, once every chunk is
    /// in; throws <see cref="FormatException"/> (and changes nothing) when the chunks do not make a whole snapshot.
    /// </summary>
    void Commit();
}
