using RaftOrleans.Kv;
using RaftOrleans.Raft;
using RaftOrleans.Replica;

namespace RaftOrleans.Tests.Simulation;

/// <summary>
/// One cluster member as the shell (RaftNodeGrain) runs it: a <see cref="RaftNode"/> and its
/// <see cref="KvStateMachine"/> (both lost in a crash), its <see cref="SimulatedDisk"/> (only its durable part
/// is kept), the proposals and ReadIndex reads clients wait on, and the snapshots it streams or receives. After every input it
/// carries out the node's Ready in the required order (persist and fsync, send, restore and apply and answer),
/// snapshots its state machine when the applied log passes the seed's threshold, and lets the
/// <see cref="InvariantChecker"/> look at the result. The fault injector can arm it to crash in the middle of
/// a Ready (<see cref="ArmCrashInReady"/>).
/// </summary>
internal sealed class SimulatedNode(
    int id,
    SimulationSettings settings,
    EventQueue queue,
    Random world,
    SimulatedNetwork network,
    InvariantChecker checker,
    SimulationTrace trace,
    DurabilityCounters counters)
{
    /// <summary>How long an armed crash waits for the kind of Ready it targets before it takes any that persists.</summary>
    private static readonly TimeSpan CrashTargetPatience = 1500.Ms();

    private readonly Dictionary<long, AwaitedProposal> _awaited = new();
    private readonly Dictionary<long, AwaitedRead> _reads = new(); // by read id, as the shell's _reads
    private long _lastReadId; // never reused, not even across a crash
    private readonly Dictionary<int, SnapshotTransfer> _transfers = new(); // by follower: the one being streamed
    private SnapshotAssembly? _incoming; // chunks received so far from a leader (the shell's own assembly)
    private Action<SimulatedNode>? _crashInReady; // armed: crash in the next Ready that persists something (see ArmCrashInReady)
    private CrashTarget _crashTarget;
    private TimeSpan _crashArmedAt;
    private TimeSpan _lastTick;

    // Role and term as of the end of the previous step, to notice what a step changed.
    private (Role Role, long Term) _seen;
    private long _seenCommit;

    public int Id => id;
    public SimulatedDisk Disk { get; } = new();
    public RaftNode? Raft { get; private set; }
    public KvStateMachine? StateMachine { get; private set; }

    /// <summary>Bumped on every crash and restart, so events meant for an earlier life of the node are dropped.</summary>
    public int Incarnation { get; private set; }

    /// <summary>The last index this life of the node applied to its state machine (or restored it to from a snapshot).</summary>
    public long Applied { get; private set; }

    public bool IsUp => Raft is not null;

    public int Crashes { get; private set; }

    /// <summary>Raised when this node has just won an election (the fault injector ambushes some new leaders).</summary>
    public event Action<SimulatedNode>? BecameLeader;

    /// <summary>Raised when this node, as leader, has just advanced its commit index.</summary>
    public event Action<SimulatedNode>? LeaderCommitted;

    /// <summary>
    /// Boots from the durable part of the disk alone, as the shell's StartCore does: with a snapshot there, the
    /// state machine is restored from it and the core starts from the snapshot constructor; then the state
    /// machine re-applies what follows as the commit index is relearned.
    /// </summary>
    public void Start()
    {
        if (IsUp) throw new InvalidOperationException($"node {id} is already up");
        if (Disk.HasPending) throw new InvalidOperationException($"node {id} restarts with a write still pending");
        var options = settings.OptionsFor(id);
        var random = new Random(world.Next());
        if (Disk.Snapshot is { } snapshot)
        {
            Raft = new RaftNode(options, Disk.HardState, snapshot.Index, snapshot.Term, Disk.Log.ToArray(), random);
            StateMachine = KvStateMachine.FromSnapshot(snapshot.Data);
            Applied = snapshot.Index;
            counters.RestartsFromSnapshot++;
        }
        else
        {
            Raft = new RaftNode(options, Disk.HardState, Disk.Log.ToArray(), random);
            StateMachine = new KvStateMachine();
            Applied = 0;
        }
        Incarnation++;
        _lastTick = queue.Now;
        _seen = (Raft.Role, Raft.Term);
        _seenCommit = Raft.CommitIndex;
        trace.Write($"node {id} starts: term {Disk.HardState.Term}, vote {Disk.HardState.VotedFor?.ToString() ?? "-"}, " +
                    $"snapshot to {Disk.SnapshotIndex}, log to {Disk.LastIndex}");
        if (Disk.Snapshot is not null) checker.OnRestored(this, "restarted from its snapshot");
        ScheduleTick(Incarnation);
        checker.AfterStep(this);
    }

    /// <summary>Loses everything but the disk's durable part. Clients waiting here find out by their own timeouts.</summary>
    public void Crash()
    {
        if (!IsUp) return;
        if (Disk.HasPending) throw new InvalidOperationException($"node {id} crashes with a write pending: tear it first");
        Raft = null;
        StateMachine = null;
        Incarnation++;
        Crashes++;
        _awaited.Clear();
        _reads.Clear();
        _transfers.Clear();
        _incoming = null;
        _crashInReady = null;
        if (settings.DiskForgetsHardState) Disk.ForgetHardState();
        trace.Write($"node {id} crashes");
    }

    /// <summary>
    /// Makes this node crash in the middle of a coming Ready that has something to persist: after the core
    /// produced it and (part of) its write reached the disk, before any of its messages left or any of its
    /// entries applied. <paramref name="target"/> says which Ready to wait for: any, one with several records
    /// (so that a torn write can keep some and lose others), or one installing a snapshot; a node that meets
    /// none of the latter two within <see cref="CrashTargetPatience"/> crashes in the next one that persists.
    /// <paramref name="crashed"/> is told once it has happened (to schedule the restart).
    /// </summary>
    public void ArmCrashInReady(CrashTarget target, Action<SimulatedNode> crashed)
    {
        if (!IsUp) return;
        _crashInReady = crashed;
        _crashTarget = target;
        _crashArmedAt = queue.Now;
    }

    public void Disarm() => _crashInReady = null;

    /// <summary>
    /// A message arrives. A snapshot chunk is first put together with the ones before it, as the shell does:
    /// the core sees every chunk, but one marked Done only if the whole snapshot is here. <paramref name="onReply"/>
    /// is set for a call (a chunk): the reply this node writes for it is routed back to it.
    /// </summary>
    public void Deliver(RaftMessage message, Action<RaftMessage>? onReply = null)
    {
        if (message is InstallSnapshot chunk) message = ReceiveChunk(chunk);
        Raft!.Step(message);
        HandleReady(message, onReply);
    }

    public ProposeResult Propose(SimulatedClient client, int attempt, byte[] command)
    {
        var raft = Raft!;
        var result = raft.Propose(command);
        if (result.Accepted) _awaited[result.Index] = new AwaitedProposal(client, attempt, result.Term);
        if (trace.Enabled)
        {
            trace.Write(result.Accepted
                ? $"node {id} accepts client {client.Number} at ({result.Index},t{result.Term})"
                : $"node {id} refuses client {client.Number}: not leader (hint {result.LeaderHint?.ToString() ?? "-"})");
        }
        HandleReady();
        return result;
    }

    /// <summary>
    /// A get, the way the shell's Read serves it: no log entry, the core's ReadIndex. Refused (with the leader
    /// this node knows) unless this node leads; once taken in, the client hears from <see cref="AnswerReads"/>.
    /// </summary>
    public (bool Accepted, long ReadId, int? LeaderHint) Read(SimulatedClient client, int attempt, KvRequest request, ReadBound began)
    {
        var raft = Raft!;
        var readId = ++_lastReadId;
        if (!raft.ReadIndex(readId))
        {
            if (trace.Enabled) trace.Write($"node {id} refuses client {client.Number}'s read: not leader (hint {raft.LeaderId?.ToString() ?? "-"})");
            return (false, 0, raft.LeaderId);
        }
        _reads[readId] = new AwaitedRead(client, attempt, request, began);
        if (trace.Enabled) trace.Write($"node {id} takes client {client.Number}'s read #{readId} of {request.Key} (commit {raft.CommitIndex})");
        HandleReady();
        return (true, readId, null);
    }

    /// <summary>A client gave up waiting on read <paramref name="readId"/>.</summary>
    public void ForgetRead(long readId, SimulatedClient client, int attempt)
    {
        if (_reads.TryGetValue(readId, out var read) && read.Client == client && read.Attempt == attempt) _reads.Remove(readId);
    }

    /// <summary>A client gave up waiting on <paramref name="index"/>.</summary>
    public void Forget(long index, SimulatedClient client, int attempt)
    {
        if (_awaited.TryGetValue(index, out var awaited) && awaited.Client == client && awaited.Attempt == attempt)
            _awaited.Remove(index);
    }

    private void ScheduleTick(int incarnation) =>
        queue.After(world.NextTime(1.Ms(), 10.Ms()), () => OnTick(incarnation));

    private void OnTick(int incarnation)
    {
        if (incarnation != Incarnation) return; // a tick of a life that has crashed
        Raft!.Tick(queue.Now - _lastTick);
        _lastTick = queue.Now;
        HandleReady();
        if (incarnation == Incarnation) ScheduleTick(incarnation); // unless it crashed in that Ready
    }

    private void HandleReady(RaftMessage? answering = null, Action<RaftMessage>? onReply = null)
    {
        var raft = Raft!;
        var before = _seen;
        var commitBefore = _seenCommit;
        var ready = raft.TakeReady();
        _seen = (raft.Role, raft.Term);
        _seenCommit = raft.CommitIndex;

        // 1. Persist: an accepted snapshot first (its own atomic, fsynced save, as the shell does), then term,
        //    vote and entries with one write and one fsync, all before any message that depends on them leaves.
        //    An armed crash strikes here, before the fsync: only part of the write (maybe none) is durable.
        var install = ready.Snapshot;
        byte[]? installed = null;
        var tear = CrashesIn(ready) ? DrawTear(ready) : null;
        if (install is not null)
        {
            installed = ReceivedBytes(install);
            checker.BeforeSnapshotInstall(this, install, installed);
            if (tear is { Records: 0 })
            {
                CrashInReady(tear, install);
                return;
            }
            Disk.SaveSnapshot(new DiskSnapshot(install.Index, install.Term, installed), install.DiscardLog);
        }
        checker.BeforePersist(this, ready);
        Disk.Write(ready.HardState, ready.EntriesToPersist);
        if (tear is not null)
        {
            Disk.Tear(tear.KeepHardState, tear.KeepEntries);
            CrashInReady(tear, install);
            return;
        }
        Disk.Sync();

        // 2. Send. The core names only the snapshot to send; its bytes come from this node's disk. The reply to
        //    a chunk goes back as the answer to that call.
        var replied = false;
        foreach (var message in ready.Messages)
        {
            if (!replied && onReply is not null && IsReplyTo(message, answering))
            {
                replied = true;
                network.Send(message, afterDelivery: () => onReply(message));
            }
            else if (message is InstallSnapshot request) StartSnapshotTransfer(request);
            else
            {
                if (message is AppendEntries { Entries.Length: > 0 } append && append.Entries[0].Index <= raft.SnapshotIndex)
                    counters.AppendsFromRetainedTail++;
                network.Send(message);
            }
        }

        // 3. Restore the state machine from an accepted snapshot, then apply in order, answering the clients
        //    that wait on these entries.
        if (install is not null) Restore(install, installed!);
        foreach (var entry in ready.CommittedEntries) Apply(raft, entry);
        AnswerReads(raft, ready);
        MaybeSnapshot(raft);

        // A node that no longer leads the term it accepted proposals in cannot vouch for them any more.
        if (_awaited.Count > 0 && (raft.Role != Role.Leader || raft.Term != before.Term)) LoseAwaited(raft.LeaderId);

        if (trace.Enabled && (raft.Role, raft.Term) != before) trace.Write($"node {id} is {raft.Role} in term {raft.Term}");
        checker.AfterStep(this);
        if (raft.Role == Role.Leader && before.Role != Role.Leader) BecameLeader?.Invoke(this);
        if (raft.Role == Role.Leader && raft.CommitIndex > commitBefore) LeaderCommitted?.Invoke(this);
    }

    private bool CrashesIn(Ready ready)
    {
        if (_crashInReady is null) return false;
        var records = (ready.Snapshot is null ? 0 : 1) + (ready.HardState is null ? 0 : 1) + ready.EntriesToPersist.Count;
        if (records == 0) return false;
        if (queue.Now - _crashArmedAt >= CrashTargetPatience) return true;
        return _crashTarget switch
        {
            CrashTarget.SeveralRecords => records >= 2,
            CrashTarget.SnapshotInstall => ready.Snapshot is not null,
            _ => true,
        };
    }

    /// <summary>
    /// How much of this Ready's persist a crash lets through. Its records, in the order the shell writes them:
    /// the snapshot (a save of its own), the hard state, the entries. What survives is a prefix of them (the
    /// file storage cuts a torn tail at the first incomplete record): nothing, some, or all (then the crash
    /// came after the fsync, still before anything was sent). Now and then the hard state is dropped while
    /// entries written after it survive: more than a write-ahead log with checksums can lose, and still safe,
    /// since the term or vote it carried was never acted on.
    /// </summary>
    private Tear DrawTear(Ready ready)
    {
        var snapshot = ready.Snapshot is null ? 0 : 1;
        var hardState = ready.HardState is null ? 0 : 1;
        var records = snapshot + hardState + ready.EntriesToPersist.Count;
        var keep = world.Next(records + 1);
        var afterSnapshot = keep - snapshot;
        var keepHardState = hardState == 1 && afterSnapshot >= 1;
        var keepEntries = Math.Clamp(afterSnapshot - hardState, 0, ready.EntriesToPersist.Count);
        var withoutHardState = keepHardState && keepEntries > 0 && world.Chance(0.5);
        return new Tear(records, keep, keepHardState && !withoutHardState, keepEntries, withoutHardState);
    }

    private void CrashInReady(Tear tear, SnapshotInstall? install)
    {
        var crashed = _crashInReady!;
        counters.MidReadyCrashes++;
        if (install is not null) counters.MidInstallCrashes++;
        if (tear.Records == 0) counters.PersistLost++;
        else if (tear.Records == tear.Total && !tear.WithoutHardState) counters.PersistCompleteUnsent++;
        else counters.PersistTorn++;
        if (tear.WithoutHardState) counters.PersistTornWithoutHardState++;
        trace.Write($"node {id} crashes in a Ready: {tear.Records} of its {tear.Total} records written" +
                    (install is null ? "" : $" (snapshot to {install.Index} {(tear.Records > 0 ? "saved" : "lost")})") +
                    $", hard state {(tear.KeepHardState ? "kept" : "not kept")}, {tear.KeepEntries} entries kept");
        Crash();
        crashed(this);
    }

    /// <summary>The bytes of the snapshot the core just accepted: they must be the ones received, whole.</summary>
    private byte[] ReceivedBytes(SnapshotInstall install)
    {
        var incoming = _incoming;
        _incoming = null;
        if (incoming is not { Complete: true } || incoming.Index != install.Index || incoming.IncludedTerm != install.Term)
            throw new InvariantViolation($"node {id}'s core accepted snapshot ({install.Index},t{install.Term}) but its bytes never arrived whole");
        return incoming.Data;
    }

    private void Restore(SnapshotInstall install, byte[] data)
    {
        counters.SnapshotsInstalled++;
        if (install.DiscardLog) counters.SnapshotsInstalledDiscardingLog++;
        trace.Write($"node {id} installs snapshot ({install.Index},t{install.Term}) of {data.Length} bytes{(install.DiscardLog ? ", discarding its log" : "")}");
        if (install.Index <= Applied)
            throw new InvariantViolation($"node {id} installs a snapshot at {install.Index} over state applied to {Applied}");
        // The planted bug of SkipSnapshotRestore: the index moves on, the state stays behind.
        if (!settings.SkipSnapshotRestore) StateMachine = KvStateMachine.FromSnapshot(data);
        Applied = install.Index;
        checker.OnRestored(this, "installed its leader's snapshot");
    }

    /// <summary>The shell's MaybeSnapshot: once the applied log is long enough, snapshot, save, then compact.</summary>
    private void MaybeSnapshot(RaftNode raft)
    {
        if (settings.SnapshotThreshold is not { } threshold || raft.LastApplied - raft.SnapshotIndex < threshold) return;
        var index = raft.LastApplied;
        var term = raft.TermAt(index)
            ?? throw new InvariantViolation($"node {id}: applied entry {index} is not in the log");
        var snapshot = new DiskSnapshot(index, term, StateMachine!.TakeSnapshot());
        checker.OnSnapshotTaken(this, snapshot);
        Disk.SaveSnapshot(snapshot, discardLog: false);
        raft.Compact(index, settings.SnapshotCatchUpEntries);
        counters.Compactions++;
        trace.Write($"node {id} snapshots ({index},t{term}) in {snapshot.Data.Length} bytes and compacts its log");
    }

    /// <summary>
    /// Mirrors the shell's ReceiveChunk: a new transfer (offset 0) replaces the one in progress unless it comes
    /// from an older term; a chunk that does not continue the current transfer is ignored; the core is told
    /// "done" only for the last chunk of a whole snapshot.
    /// </summary>
    private InstallSnapshot ReceiveChunk(InstallSnapshot chunk)
    {
        if (chunk.Offset == 0 && (_incoming is null || chunk.Term >= _incoming.Term)) _incoming = SnapshotAssembly.Start(chunk);
        return _incoming is not null && _incoming.TryAdd(chunk) ? chunk : chunk with { Done = false };
    }

    /// <summary>
    /// The core asks for its snapshot to go to a follower (metadata only): fill in the bytes saved at that
    /// index and stream them, one call per chunk, the next once the previous one is answered. A new request
    /// for the same follower replaces the transfer in progress.
    /// </summary>
    private void StartSnapshotTransfer(InstallSnapshot request)
    {
        if (Disk.Snapshot is not { } snapshot || snapshot.Index != request.LastIncludedIndex || snapshot.Term != request.LastIncludedTerm)
            throw new InvariantViolation($"node {id} is asked to send snapshot ({request.LastIncludedIndex},t{request.LastIncludedTerm}) " +
                                         $"but its disk holds {(Disk.Snapshot is { } s ? $"({s.Index},t{s.Term})" : "none")}");
        if (request.Offset != 0 || request.Data.Length != 0 || !request.Done)
            throw new InvariantViolation($"node {id}'s core wrote snapshot bytes itself: offset {request.Offset}, {request.Data.Length} bytes");
        var transfer = new SnapshotTransfer(request, snapshot.Data);
        _transfers[request.To] = transfer;
        counters.SnapshotsSent++;
        if (snapshot.Data.Length > settings.SnapshotChunkBytes) counters.MultiChunkSnapshots++;
        trace.Write($"node {id} streams snapshot ({snapshot.Index},t{snapshot.Term}) of {snapshot.Data.Length} bytes to node {request.To}");
        SendChunk(transfer);
    }

    private void SendChunk(SnapshotTransfer transfer)
    {
        var offset = transfer.Offset;
        var length = Math.Min(settings.SnapshotChunkBytes, transfer.Data.Length - offset);
        var chunk = transfer.Request with
        {
            Offset = offset,
            Data = transfer.Data.AsSpan(offset, length).ToArray(),
            Done = offset + length == transfer.Data.Length,
        };
        counters.SnapshotChunksSent++;
        network.Send(chunk, onReply: _ => OnChunkAnswered(transfer, chunk));
    }

    /// <summary>
    /// The answer to a chunk, already stepped into the core. Like the shell's loop: go on with the next chunk
    /// unless that was the last, the transfer was replaced by a newer one, or this node no longer leads the
    /// term the transfer was asked for in (an answer with a newer term has just deposed it).
    /// </summary>
    private void OnChunkAnswered(SnapshotTransfer transfer, InstallSnapshot chunk)
    {
        if (!IsUp || !_transfers.TryGetValue(chunk.To, out var current) || current != transfer || transfer.Offset != chunk.Offset) return;
        if (chunk.Done || Raft is not { Role: Role.Leader } leader || leader.Term != chunk.Term)
        {
            _transfers.Remove(chunk.To);
            return;
        }
        transfer.Offset += chunk.Data.Length;
        SendChunk(transfer);
    }

    private static bool IsReplyTo(RaftMessage message, RaftMessage? request) =>
        request is InstallSnapshot && message is InstallSnapshotReply && message.To == request.From;

    private void Apply(RaftNode raft, LogEntry entry)
    {
        if (entry.Index != Applied + 1)
            throw new InvariantViolation($"node {id} applies index {entry.Index} after {Applied}: committed entries must be contiguous");
        Applied = entry.Index;
        var committed = checker.OnCommitted(this, entry);

        KvResult? result = null;
        if (!entry.IsNoOp)
        {
            result = StateMachine!.Apply(KvCommandCodec.Decode(entry.Data));
            checker.OnApplied(this, committed, result);
        }

        if (!_awaited.Remove(entry.Index, out var awaited)) return;
        if (awaited.Term == entry.Term && result is not null)
        {
            if (trace.Enabled) trace.Write($"node {id} answers client {awaited.Client.Number} at ({entry.Index},t{entry.Term}): {result}");
            awaited.Client.OnCommitted(awaited.Attempt, entry.Index, result);
        }
        else
        {
            if (trace.Enabled) trace.Write($"node {id}: client {awaited.Client.Number}'s proposal at {entry.Index} lost to term {entry.Term}");
            awaited.Client.OnLost(awaited.Attempt, raft.LeaderId);
        }
    }

    /// <summary>
    /// The shell's AnswerReads: the confirmed reads are answered from the state machine just brought up to
    /// (at least) their read index; the failed ones go back to their clients to try the leader.
    /// </summary>
    private void AnswerReads(RaftNode raft, Ready ready)
    {
        foreach (var state in ready.ReadStates)
        {
            if (!_reads.Remove(state.RequestId, out var read)) continue; // its client gave up on it
            var answer = StateMachine!.Read(read.Request.Key);
            counters.ReadsAnswered++;
            if (trace.Enabled) trace.Write($"node {id} answers client {read.Client.Number}'s read #{state.RequestId} of {read.Request.Key} " +
                                           $"at read index {state.ReadIndex}, applied {Applied}: {answer}");
            checker.OnReadAnswered(this, read.Client, read.Request, read.Began, state, answer);
            read.Client.OnRead(read.Attempt, answer);
        }
        foreach (var readId in ready.FailedReads)
        {
            if (!_reads.Remove(readId, out var read)) continue;
            counters.ReadsFailed++;
            if (trace.Enabled) trace.Write($"node {id} fails client {read.Client.Number}'s read #{readId}: no longer leader");
            read.Client.OnLost(read.Attempt, raft.LeaderId);
        }
    }

    private void LoseAwaited(int? leaderHint)
    {
        foreach (var awaited in _awaited.Values) awaited.Client.OnLost(awaited.Attempt, leaderHint);
        _awaited.Clear();
    }

    /// <summary>What of a Ready's <paramref name="Total"/> records a crash let through (see <see cref="DrawTear"/>).</summary>
    private sealed record Tear(int Total, int Records, bool KeepHardState, int KeepEntries, bool WithoutHardState);

    /// <summary>A snapshot being streamed to one follower: the request the core wrote, the bytes, how far it got.</summary>
    private sealed class SnapshotTransfer(InstallSnapshot request, byte[] data)
    {
        public InstallSnapshot Request { get; } = request;
        public byte[] Data { get; } = data;
        public int Offset { get; set; }
    }
}

/// <summary>Which Ready an armed crash waits for (see <see cref="SimulatedNode.ArmCrashInReady"/>).</summary>
internal enum CrashTarget
{
    AnyPersist,
    SeveralRecords,
    SnapshotInstall,
}
