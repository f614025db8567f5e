using RaftOrleans.Kv;
using RaftOrleans.Raft;
using RaftOrleans.Storage;

namespace RaftOrleans;

/// <summary>
/// Snapshots in the shell: taking one when the applied log passes the threshold, streaming one to a
/// follower in chunks, and putting a received one together and installing it.
/// </summary>
public sealed partial class RaftNodeGrain
{
    // Small enough to keep one grain call short, large enough that a typical snapshot is one or a few calls.
    private const int SnapshotChunkBytes = 1024 * 1024;

    private readonly Dictionary<int, int> _transfers = new(); // per peer: the number of the transfer that may run
    private StoredSnapshot? _snapshot;   // the latest one saved or installed: what this node sends
    private SnapshotAssembly? _incoming; // chunks received so far from a leader

    /// <summary>
    /// Snapshots the state machine once it has applied <c>snapshot_threshold</c> entries past the last snapshot.
    /// The index is what <see cref="_kv"/> has applied (<see cref="_appliedIndex"/>), never the core's
    /// LastApplied: the core hands out committed entries when a batch is taken, and a later batch may still be
    /// waiting in the outbox for the disk, so the core can be ahead of the state machine.
    /// </summary>
    private void MaybeSnapshot(RaftNode core)
    {
        if (_appliedIndex - core.SnapshotIndex < _cluster.SnapshotThreshold) return;
        var term = core.TermAt(_appliedIndex)
            ?? throw new InvalidOperationException($"node {NodeId}: applied entry {_appliedIndex} is not in the log");
        var snapshot = new StoredSnapshot(_appliedIndex, term, _kv.TakeSnapshot());
        // Queued behind every write so far. Compacting the in-memory log at once is safe: a crash before the
        // snapshot is durable restarts from the previous snapshot and the log on disk, which still covers it.
        _ = WatchWrite(_writer.SaveSnapshot(snapshot, discardLog: false), _incarnation);
        _snapshot = snapshot;
        core.Compact(snapshot.Index, _cluster.SnapshotCatchUpEntries);
        LogSnapshotTaken(NodeId, snapshot.Index, snapshot.Data.Length);
    }

    /// <summary>A write no batch waits on still stops the node if it fails.</summary>
    private async Task WatchWrite(Task write, int incarnation)
    {
        try
        {
            await write;
        }
        catch (Exception error) when (error is not RaftNodeUnavailableException)
        {
            if (incarnation == _incarnation) Stop(error);
        }
    }

    /// <summary>
    /// Adds a chunk to the snapshot being received. The core sees every chunk (each one is word from the
    /// leader), but a last chunk counts as "done" only if all the chunks before it arrived in order.
    /// </summary>
    private InstallSnapshot ReceiveChunk(InstallSnapshot chunk)
    {
        // A new transfer (offset 0) replaces the one in progress unless it comes from an older term; a chunk
        // that does not continue the current transfer is ignored, not allowed to wreck it.
        if (chunk.Offset == 0 && (_incoming is null || chunk.Term >= _incoming.Term))
        {
            _incoming = SnapshotAssembly.Start(chunk);
        }
        return _incoming is not null && _incoming.TryAdd(chunk) ? chunk : chunk with { Done = false };
    }

    /// <summary>The bytes of the snapshot the core just accepted: they are saved before the batch is carried out.</summary>
    private StoredSnapshot AssembledSnapshot(SnapshotInstall install)
    {
        var assembly = _incoming is { Complete: true } complete && complete.Index == install.Index && complete.IncludedTerm == install.Term
            ? complete
            : throw new InvalidOperationException($"node {NodeId}: the core accepted snapshot {install.Index} but its bytes are not here");
        _incoming = null;
        return new StoredSnapshot(install.Index, install.Term, assembly.Data);
    }

    /// <summary>Replaces the state machine by an installed snapshot (now durable).</summary>
    private void RestoreFrom(StoredSnapshot snapshot)
    {
        _snapshot = snapshot;
        _kv = KvStateMachine.FromSnapshot(snapshot.Data);
        _appliedIndex = snapshot.Index;
        LogSnapshotInstalled(NodeId, snapshot.Index, snapshot.Data.Length);
    }

    /// <summary>Streams the saved snapshot the core asked for to one follower, chunk by chunk.</summary>
    private async Task SendSnapshotAsync(InstallSnapshot request, int incarnation)
    {
        var snapshot = _snapshot;
        if (snapshot is null || snapshot.Index != request.LastIncludedIndex) return; // the core will ask again
        var peer = GrainFactory.GetGrain<IRaftNodeGrain>(request.To);
        // One transfer per follower: a newer one (the core retried) ends this loop at its next step.
        var transfer = _transfers[request.To] = _transfers.GetValueOrDefault(request.To) + 1;
        LogSnapshotSending(NodeId, snapshot.Index, snapshot.Data.Length, request.To);
        var offset = 0;
        while (true)
        {
            var length = Math.Min(SnapshotChunkBytes, snapshot.Data.Length - offset);
            var chunk = request with
            {
                Offset = offset,
                Data = snapshot.Data.AsSpan(offset, length).ToArray(),
                Done = offset + length == snapshot.Data.Length,
            };
            InstallSnapshotReply reply;
            try
            {
                reply = await peer.InstallSnapshot(chunk).WaitAsync(_cluster.RpcTimeout);
            }
            catch (Exception error)
            {
                LogPeerUnreachable(NodeId, request.To, error.GetType().Name);
                return;
            }
            if (_core is null || incarnation != _incarnation) return;
            _ = Input(core => core.Step(reply));
            if (chunk.Done || _transfers[request.To] != transfer) return;
            if (_core is not { Role: Role.Leader } leader || leader.Term != request.Term) return;
            offset += length;
        }
    }
}
