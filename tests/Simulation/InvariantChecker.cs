using RaftOrleans.Kv;
using RaftOrleans.Raft;
using RaftOrleans.Replica;
using RaftOrleans.Storage;

namespace RaftOrleans.Tests.Simulation;

/// <summary>
/// Raft's safety properties (Figure 3 of the paper) and the KV contract, checked as the run goes. Each check
/// is incremental (it looks only at what the last step changed), so checking after every step stays cheap:
/// - election safety: at most one leader per term;
/// - log matching: entries with equal index and term are equal and sit on equal prefixes, checked on every
///   entry any disk takes in: the same (index, term) must always carry the same data after the same term;
/// - leader completeness: a leader of a later term holds every committed entry (those its log compacted away
///   it holds through its snapshot, which is itself checked to be of the committed log);
/// - state-machine safety: every node applies the same entry at each index, and its state machine then holds
///   exactly the model's state at that index (map and client sessions);
/// - snapshots: one taken, installed or restarted from is of a committed index and term, its bytes decode to
///   the model's state at that index, and the state machine restored from it holds exactly that state (so later
///   duplicates are suppressed with the same answers: every later answer is compared with the model's too);
///   a follower keeps its log after an installed snapshot only if its disk agrees with it at the snapshot's index;
/// - the KV contract: every answer equals the sequential model's, every acknowledged request is committed and
///   took effect exactly once;
/// - linearizable reads (gets served by ReadIndex, outside the log): a read answers from the answering
///   leader's state at its LastApplied, which must equal the model's state there, and that state must be at
///   least as new as the newest one any node had applied when the read began (so at least every write
///   acknowledged before it, and everything an earlier read could have seen); the core's read index must be
///   at least that index too, and already applied when the read is released;
/// - membership (one node at a time, thesis chapter 4): every configuration in a log differs from the one before it
///   by at most one voter; a leader appends a configuration only when the one before it in its log is committed (one
///   change in flight); and whatever a leader commits is on the disks of a majority of the voters of the configuration
///   it is in force with (a learner's copy, or a removed leader's own, never makes the majority).
/// Checks read only the disk's durable part: what a node may act on is what survives its crash.
/// A failed check throws <see cref="InvariantViolation"/>.
/// </summary>
internal sealed class InvariantChecker(EventQueue clock)
{
    private readonly Dictionary<long, int> _leaderOfTerm = new();
    private readonly Dictionary<(long Index, long Term), (byte[] Data, long PreviousTerm, int Node)> _entries = new();
    private readonly Dictionary<(Guid Client, long Sequence), long> _acknowledged = new();
    private readonly CommittedLog _committed = new();
    private readonly KvModel _model = new();
    private IReadOnlyList<SimulatedNode> _nodes = Array.Empty<SimulatedNode>();

    /// <summary>
    /// The first failure a replica reported about itself (it stopped: a check of this class threw inside one of
    /// its callbacks, or the core refused an impossible state). The run fails with it after the event that caused it.
    /// </summary>
    public Exception? Failure { get; private set; }

    public void RecordFailure(Exception error) => Failure ??= error;

    public int Elections => _leaderOfTerm.Count;
    public long CommittedCount => _committed.Count;
    public int AcknowledgedCount => _acknowledged.Count;
    public int ReadsAcknowledged { get; private set; }

    /// <summary>
    /// What a read beginning now must see at least: every write acknowledged so far (linearizability), and,
    /// since ReadIndex promises it, the model's state index (the newest committed index any node has applied:
    /// all a read could have returned so far).
    /// </summary>
    public ReadBound ReadBound => new(_highestAcknowledged, _committed.Count);

    private long _highestAcknowledged;

    public void Watch(IReadOnlyList<SimulatedNode> nodes) => _nodes = nodes;

    /// <summary>
    /// Before a node's disk takes a write: term and vote only move forward, logs stay matching. Held against
    /// <paramref name="written"/>, everything the node has asked its disk to write so far (durable or in flight).
    /// </summary>
    public void BeforePersist(int nodeId, DiskImage written, HardState? hardState, IReadOnlyList<LogEntry> entries)
    {
        if (hardState is { } next)
        {
            var now = written.HardState;
            if (next.Term < now.Term)
                Fail($"node {nodeId} persists term {next.Term} over term {now.Term}");
            if (next.Term == now.Term && now.VotedFor is { } vote && next.VotedFor != vote)
                Fail($"node {nodeId} changes its vote in term {now.Term} from {vote} to {next.VotedFor?.ToString() ?? "none"}");
        }

        if (entries.Count == 0) return;
        var first = entries[0].Index;
        if (first > written.LastIndex + 1) Fail($"node {nodeId} persists from {first} but its disk ends at {written.LastIndex}");
        var previousTerm = written.TermAt(first - 1)
            ?? Fail<long>($"node {nodeId} persists from {first} but its snapshot already covers up to {written.SnapshotIndex}");
        foreach (var entry in entries)
        {
            if (entry.Term < previousTerm)
                Fail($"node {nodeId} log would go from term {previousTerm} down to term {entry.Term} at index {entry.Index}");
            CheckLogMatching(nodeId, entry, previousTerm);
            previousTerm = entry.Term;
        }
    }

    /// <summary>
    /// Before a message leaves a node (a request, or the reply to <paramref name="request"/>): what it vouches for
    /// must already be durable on the sender's disk, or a crash could make the sender take it back. Its term; a
    /// candidate's vote for itself; a granted vote; the very entries an acknowledgement claims (the term the
    /// request put at its match index); an installed snapshot. (A leader's appends vouch for nothing of its own
    /// disk: followers check them, and it writes in parallel.)
    /// </summary>
    public void OnSending(SimulatedNode node, RaftMessage message, RaftMessage? request = null)
    {
        var durable = node.Disk.Durable;
        var hard = durable.HardState;
        switch (message)
        {
            // A pre-vote and a yes to one are about a term no one has entered: no term or vote stands behind them,
            // by design. The asker names its own term + 1; a no names the refuser's own term, which must be durable.
            case RequestVote { PreVote: true } when message.Term > hard.Term + 1:
                Fail($"node {node.Id} sends {SimulationTrace.Describe(message)}, more than one term past its disk's term {hard.Term}");
                return;
            case RequestVote { PreVote: true } or RequestVoteReply { PreVote: true, VoteGranted: true }:
                return;
        }
        if (message.Term > hard.Term)
            Fail($"node {node.Id} sends {SimulationTrace.Describe(message)} in term {message.Term}, but its disk holds term {hard.Term}");
        var sameTerm = message.Term == hard.Term; // a vote of an older term no longer shows on the disk
        switch (message)
        {
            case RequestVote when sameTerm && hard.VotedFor != node.Id:
                Fail($"node {node.Id} asks for votes in term {message.Term} before its vote for itself is durable (disk: {hard.VotedFor?.ToString() ?? "no vote"})");
                break;
            case RequestVoteReply { VoteGranted: true } when sameTerm && hard.VotedFor != message.To:
                Fail($"node {node.Id} grants its vote in term {message.Term} to node {message.To} before the vote is durable (disk: {hard.VotedFor?.ToString() ?? "no vote"})");
                break;
            case AppendEntriesReply { Success: true } ack when request is AppendEntries append:
                CheckDurableAt(node, ack.MatchIndex, TermAt(append, ack.MatchIndex), "acknowledges");
                break;
            case InstallSnapshotReply { Done: true } done when request is InstallSnapshot { Done: true } snapshot
                                                               && done.MatchIndex == snapshot.LastIncludedIndex:
                CheckDurableAt(node, done.MatchIndex, snapshot.LastIncludedTerm, "confirms the snapshot ending at");
                break;
        }
    }

    /// <summary>The term <paramref name="append"/> puts at <paramref name="index"/>, if it says (null: not its to say).</summary>
    private static long? TermAt(AppendEntries append, long index)
    {
        if (index == append.PrevLogIndex) return append.PrevLogTerm;
        foreach (var entry in append.Entries) if (entry.Index == index) return entry.Term;
        return null;
    }

    private void CheckDurableAt(SimulatedNode node, long index, long? term, string verb)
    {
        var durable = node.Disk.Durable;
        // In the durable log start or the engine's durable state: committed, so the leader's entry too.
        if (index <= Math.Max(durable.SnapshotIndex, node.Engine.DurableApplied)) return;
        var held = durable.TermAt(index);
        if (held is null || (term is { } expected && held != expected))
            Fail($"node {node.Id} {verb} ({index},t{term?.ToString() ?? "?"}) but its disk holds {(held is null ? "no entry" : $"t{held}")} there " +
                 $"(snapshot {durable.SnapshotIndex}, log to {durable.LastIndex})");
    }

    /// <summary>After a node carried out a batch (and at start): election safety, leader completeness, and the core's view of its disk.</summary>
    public void AfterStep(SimulatedNode node)
    {
        var raft = node.Raft!;
        var durable = node.Disk.Durable;

        // The core counts its own log toward commits only as far as it is durable; it must never believe more.
        // (The engine's durable state counts too: a node restarted with its state ahead of its log starts its log there.)
        var stable = raft.StableIndex;
        var covered = Math.Max(durable.SnapshotIndex, node.Engine.DurableApplied);
        if (stable > Math.Max(durable.LastIndex, covered) ||
            (stable > covered && raft.TermAt(stable) is { } term && durable.TermAt(stable) != term))
            Fail($"node {node.Id} believes its log durable to {stable} (t{raft.TermAt(stable)}) but its disk holds " +
                 $"({durable.SnapshotIndex}, {durable.LastIndex}] with t{durable.TermAt(stable)?.ToString() ?? "-"} there");

        CheckConfiguration(node);

        if (raft.Role != Role.Leader) return;
        if (_leaderOfTerm.TryGetValue(raft.Term, out var leader))
        {
            if (leader != node.Id) Fail($"election safety: nodes {leader} and {node.Id} both lead term {raft.Term}");
            return;
        }
        _leaderOfTerm.Add(raft.Term, node.Id);
        for (long i = 1; i <= _committed.Count; i++)
        {
            if (_committed[i].CommitTerm < raft.Term) CheckLeaderHolds(node, _committed[i]);
        }
    }

    /// <summary>A node applies <paramref name="entry"/>: it must be the entry every other node applied there.</summary>
    public CommittedEntry OnCommitted(SimulatedNode node, LogEntry entry)
    {
        if (entry.Index <= _committed.Count)
        {
            var known = _committed[entry.Index];
            if (known.Entry.Term != entry.Term || !SameData(known.Entry.Data, entry.Data))
                Fail($"state-machine safety: node {node.Id} applies ({entry.Index},t{entry.Term}) where node " +
                     $"{known.FirstAppliedBy} applied ({entry.Index},t{known.Entry.Term})");
            return known;
        }

        KvRequest? request = null;
        KvResult? answer = null;
        if (!entry.IsNoOp && !entry.IsConfig)
        {
            var command = KvCommandCodec.Decode(entry.Data);
            request = command.Request;
            answer = _model.Apply(command);
        }
        var committed = new CommittedEntry(entry, node.Raft!.Term, node.Id, request, answer, _model.State);
        _committed.Add(committed);

        // Leaders elected before this was seen committed are held to it too.
        foreach (var other in _nodes)
        {
            if (other.Raft is { Role: Role.Leader } raft && raft.Term > committed.CommitTerm) CheckLeaderHolds(other, committed);
        }
        return committed;
    }

    /// <summary>A node's state machine answered a committed command: it must answer as the sequential model does.</summary>
    public void OnAnswered(SimulatedNode node, CommittedEntry committed, KvResult answer)
    {
        if (!KvModel.SameAnswer(answer, committed.Answer!))
            Fail($"node {node.Id} answers {answer} to {committed.Request} at index {committed.Entry.Index}; " +
                 $"the sequential model answers {committed.Answer}");
    }

    /// <summary>A node's state machine has applied up to <paramref name="committed"/>: it must hold the model's state there.</summary>
    public void OnStateAt(SimulatedNode node, CommittedEntry committed)
    {
        var state = node.StateMachine!.ReadAll();
        if (state.Meta.Index != committed.Entry.Index || state.Meta.Term != committed.Entry.Term)
            Fail($"node {node.Id} applied {committed.Entry.Index} but its engine records ({state.Meta.Index},t{state.Meta.Term})");
        if (committed.StateAfter.Mismatch(state.Data, state.Sessions) is { } mismatch)
            Fail($"state-machine safety: node {node.Id} after applying {committed.Entry.Index} holds {mismatch}");
    }

    /// <summary>
    /// A node made its state durable and compacted its log at what it applied: that must be a committed entry, and
    /// the state (which the node now sends to followers that need it) the model's there.
    /// </summary>
    public void OnSnapshotTaken(SimulatedNode node, AppliedPoint state)
    {
        CheckCommitted(node, "compacts its log at", state.Index, state.Term);
        if (node.Engine.DurableApplied != state.Index)
            Fail($"node {node.Id} compacts its log at {state.Index} but its engine is durable only to {node.Engine.DurableApplied}");
        OnRestored(node, $"snapshots its state at {state}");
    }

    /// <summary>
    /// A node's core accepted a leader's snapshot and the node is about to save it: it must be of the committed
    /// log, ahead of what the node applied, and the node's log may be kept past it only if its disk agrees with
    /// it at its index (Figure 13); one that agrees must not be discarded either, or acknowledged entries go.
    /// </summary>
    public void BeforeSnapshotInstall(SimulatedNode node, SnapshotInstall install)
    {
        if (install.Index <= node.Applied)
            Fail($"node {node.Id} installs a snapshot at {install.Index} having applied up to {node.Applied}");
        CheckCommitted(node, "installs a snapshot at", install.Index, install.Term);
        var held = node.Disk.Written.TermAt(install.Index); // what its disk will hold when the snapshot's save comes
        if (!install.DiscardLog && held != install.Term)
            Fail($"node {node.Id} keeps its log after snapshot ({install.Index},t{install.Term}) but its disk holds " +
                 $"{(held is null ? "no entry" : $"term {held}")} there");
        if (install.DiscardLog && held == install.Term)
            Fail($"node {node.Id} discards its log for snapshot ({install.Index},t{install.Term}), with which it agrees");
    }

    /// <summary>A node's state machine was rebuilt from a snapshot: it must hold exactly the model's state at that index.</summary>
    public void OnRestored(SimulatedNode node, string how)
    {
        var state = node.StateMachine!.ReadAll();
        if (node.Applied > _committed.Count)
            Fail($"node {node.Id} {how} at {node.Applied}, past the committed log ({_committed.Count})");
        if (state.Meta.Index != node.Applied)
            Fail($"node {node.Id} {how}: its core applied {node.Applied} but its engine records {state.Meta.Index}");
        if (_committed.StateAt(node.Applied).Mismatch(state.Data, state.Sessions) is { } mismatch)
            Fail($"snapshot: node {node.Id} {how} at {node.Applied} and holds {mismatch}");
    }

    /// <summary>A client got its answer: it must be for its own committed command and be the model's answer.</summary>
    public void OnAcknowledged(SimulatedClient client, KvRequest request, long index, KvResult answer)
    {
        if (index > _committed.Count) Fail($"client {client.Number} acknowledged at {index}, past the committed log ({_committed.Count})");
        var committed = _committed[index];
        if (committed.Request != request)
            Fail($"client {client.Number} acknowledged {request} at index {index}, which holds {committed.Request?.ToString() ?? "a no-op"}");
        if (!answer.IsDefinitive) Fail($"client {client.Number} acknowledged {request} with {answer}");
        if (!KvModel.SameAnswer(answer, committed.Answer!))
            Fail($"client {client.Number} got {answer} for {request}; the sequential model answers {committed.Answer}");
        if (_model.Executions(request.ClientId, request.Sequence) != 1)
            Fail($"client {client.Number}'s {request} acknowledged but took effect {_model.Executions(request.ClientId, request.Sequence)} times");
        if (!_acknowledged.TryAdd((request.ClientId, request.Sequence), index))
            Fail($"client {client.Number}'s {request} acknowledged twice");
        _highestAcknowledged = Math.Max(_highestAcknowledged, index);
    }

    /// <summary>
    /// A leader answers a get it took in through ReadIndex: from its state machine as applied up to now. The
    /// answer must be the model's at that index (the state is the one it claims to be), that index must not be
    /// older than the model's state when the read began (<paramref name="startBound"/>: no acknowledged write,
    /// no state another read already returned, is missed), and the core must have released it only with its
    /// read index applied, a read index no older than that bound either.
    /// </summary>
    public void OnReadAnswered(SimulatedNode node, SimulatedClient client, KvRequest request, ReadBound began, ReadState state, KvResult answer)
    {
        var applied = node.Applied;
        if (request.Operation != KvOperation.Get) Fail($"node {node.Id} answers {request} as a read");
        if (applied > _committed.Count) Fail($"node {node.Id} reads at {applied}, past the committed log ({_committed.Count})");
        var expected = ValueAt(applied, request.Key);
        if (!KvModel.SameAnswer(answer, expected))
            Fail($"node {node.Id} answers client {client.Number}'s get {request.Key} with {answer} at applied index {applied}; " +
                 $"the model holds {expected} there");
        if (applied < began.AcknowledgedWrite)
            Fail($"linearizability: node {node.Id} (term {node.Raft!.Term}) answers client {client.Number}'s get {request.Key} (#{request.Sequence}) " +
                 $"with {answer} from its state at {applied}, but a write at {began.AcknowledgedWrite} was acknowledged before the read began; " +
                 $"the model holds {ValueAt(began.AcknowledgedWrite, request.Key)} there (stale read)");
        if (applied < began.ModelState)
            Fail($"linearizability: node {node.Id} (term {node.Raft!.Term}) answers client {client.Number}'s get {request.Key} (#{request.Sequence}) " +
                 $"with {answer} from its state at {applied}, but {began.ModelState} was committed and applied when the read began; " +
                 $"the model holds {ValueAt(began.ModelState, request.Key)} there (stale read)");
        if (state.ReadIndex < began.ModelState)
            Fail($"linearizability: node {node.Id} releases client {client.Number}'s read with read index {state.ReadIndex}, but " +
                 $"{began.ModelState} was committed when the read began (term {node.Raft!.Term})");
        if (state.ReadIndex > applied)
            Fail($"node {node.Id} releases a read at read index {state.ReadIndex} having applied only {applied}");
    }

    private KvResult ValueAt(long index, string key) =>
        _committed.StateAt(index).Data.TryGetValue(key, out var value) ? KvResult.Found(value) : KvResult.NotFound;

    /// <summary>A client got the answer to its get (already checked by <see cref="OnReadAnswered"/>).</summary>
    /// <summary>
    /// A leader answered SessionExpired: the model must say so at that index too, and the request may have taken
    /// effect at most once (an earlier copy, before the session expired).
    /// </summary>
    public void OnSessionExpired(SimulatedClient client, KvRequest request, long index, KvResult answer)
    {
        if (index > _committed.Count) Fail($"client {client.Number} was refused at {index}, past the committed log ({_committed.Count})");
        var committed = _committed[index];
        if (committed.Request != request)
            Fail($"client {client.Number} was refused {request} at index {index}, which holds {committed.Request?.ToString() ?? "a no-op"}");
        if (!KvModel.SameAnswer(answer, committed.Answer!))
            Fail($"client {client.Number} got {answer} for {request}; the sequential model answers {committed.Answer}");
        if (_model.Executions(request.ClientId, request.Sequence) > 1)
            Fail($"client {client.Number}'s {request} took effect {_model.Executions(request.ClientId, request.Sequence)} times");
        SessionsExpiredAnswers++;
    }

    /// <summary>Requests answered SessionExpired (the sweeps assert some were, and that the model expired sessions).</summary>
    public int SessionsExpiredAnswers { get; private set; }

    public int SessionsExpired => _model.SessionsExpired;

    public void OnReadAcknowledged(SimulatedClient client, KvRequest request, KvResult answer)
    {
        if (!answer.IsDefinitive) Fail($"client {client.Number} acknowledged {request} with {answer}");
        ReadsAcknowledged++;
    }

    private void CheckCommitted(SimulatedNode node, string verb, long index, long term)
    {
        if (index < 1 || index > _committed.Count)
            Fail($"node {node.Id} {verb} {index}; the committed log ends at {_committed.Count}");
        if (_committed[index].Entry.Term != term)
            Fail($"node {node.Id} {verb} ({index},t{term}) where ({index},t{_committed[index].Entry.Term}) is committed");
    }

    /// <summary>
    /// At the end, with every node up and caught up: one log, one state, the model's, and every acknowledged
    /// request in it exactly once.
    /// </summary>
    public void CheckConverged(ClusterConfig members)
    {
        foreach (var node in _nodes.Where(n => members.Contains(n.Id)))
        {
            var raft = node.Raft ?? throw new InvariantViolation($"node {node.Id} is down at the end");
            if (!raft.Configuration.SameAs(members))
                Fail($"node {node.Id} ends with configuration {raft.Configuration}, its leader's is {members}");
            var disk = node.Disk.Durable;
            if (disk.LastIndex != _committed.Count || node.Applied != _committed.Count)
                Fail($"node {node.Id} holds {disk.LastIndex} entries and applied {node.Applied}; {_committed.Count} are committed");
            if (disk.SnapshotIndex > 0 && disk.SnapshotTerm != _committed[disk.SnapshotIndex].Entry.Term)
                Fail($"node {node.Id} ends with snapshot ({disk.SnapshotIndex},t{disk.SnapshotTerm}), committed is t{_committed[disk.SnapshotIndex].Entry.Term}");
            for (var i = disk.SnapshotIndex + 1; i <= _committed.Count; i++)
            {
                var entry = disk.EntryAt(i);
                if (entry.Term != _committed[i].Entry.Term || raft.EntryAt(i).Term != entry.Term)
                    Fail($"node {node.Id} ends with term {entry.Term} on disk and {raft.EntryAt(i).Term} in memory at {i}, committed is t{_committed[i].Entry.Term}");
            }
            var state = node.StateMachine!.ReadAll();
            if (_model.State.Mismatch(state.Data, state.Sessions) is { } mismatch)
                Fail($"node {node.Id} ends with {mismatch}");
        }

        var inLog = new Dictionary<(Guid, long), int>();
        for (long i = 1; i <= _committed.Count; i++)
        {
            if (_committed[i].Request is { } r) inLog[(r.ClientId, r.Sequence)] = inLog.GetValueOrDefault((r.ClientId, r.Sequence)) + 1;
        }
        foreach (var ((client, sequence), index) in _acknowledged)
        {
            if (inLog.GetValueOrDefault((client, sequence)) == 0 || _model.Executions(client, sequence) != 1)
                Fail($"acknowledged {client:N}#{sequence} (at {index}) is {inLog.GetValueOrDefault((client, sequence))} times in the " +
                     $"committed log and took effect {_model.Executions(client, sequence)} times");
        }
    }

    /// <summary>
    /// After a node's step: when its configuration moved on, the new one differs from the one before it in its log by at
    /// most one voter, and a leader that appended it in its own term had the previous one committed.
    /// </summary>
    private void CheckConfiguration(SimulatedNode node)
    {
        var raft = node.Raft!;
        var index = raft.ConfigurationIndex;
        if (index < raft.FirstLogIndex) return; // from a snapshot: checked where that entry was appended
        var seen = (index, raft.EntryAt(index).Term); // a configuration replaced at the same index is a new one
        if (_configurationSeen.GetValueOrDefault(node.Id) == seen) return;
        _configurationSeen[node.Id] = seen;
        var config = raft.Configuration;
        var before = raft.ConfigurationAt(index - 1);
        var votersChanged = config.Voters.Except(before.Voters).Count() + before.Voters.Except(config.Voters).Count();
        if (votersChanged > 1) Fail($"node {node.Id}: the configuration at {index} ({config}) changes {votersChanged} voters of the one before ({before})");

        if (raft.Role != Role.Leader || raft.EntryAt(index).Term != raft.Term) return;
        for (var i = index - 1; i >= raft.FirstLogIndex; i--)
        {
            if (!raft.EntryAt(i).IsConfig) continue;
            if (i > raft.CommitIndex)
                Fail($"two membership changes in flight: leader {node.Id} appended a configuration at {index} ({config}) " +
                     $"while the one at {i} ({before}) was not committed (commit {raft.CommitIndex})");
            return;
        }
    }

    /// <summary>
    /// A leader advanced its commit index: the entry there must be durable on a majority of the voters of the
    /// configuration in force at the leader (a disk holds it in its log, or its snapshot covers it).
    /// </summary>
    public void OnLeaderCommitted(SimulatedNode leader)
    {
        var raft = leader.Raft!;
        var index = raft.CommitIndex;
        var term = raft.TermAt(index);
        var config = raft.Configuration;
        var holders = _nodes.Where(n => config.IsVoter(n.Id) && n.Disk.Durable is var disk
                                        && (disk.SnapshotIndex >= index || (term is { } t && disk.TermAt(index) == t))).Select(n => n.Id).ToArray();
        if (holders.Length < config.Quorum)
            Fail($"leader {leader.Id} commits {index} (t{term}) but only voters [{string.Join(",", holders)}] of {config} hold it on disk");
    }

    private readonly Dictionary<int, (long Index, long Term)> _configurationSeen = new();

    private void CheckLogMatching(int nodeId, LogEntry entry, long previousTerm)
    {
        // By induction over the index, "same (index, term) => same data and same previous term" for every
        // entry ever written is exactly the Log Matching Property for every pair of logs, at every moment.
        if (!_entries.TryGetValue((entry.Index, entry.Term), out var known))
        {
            _entries.Add((entry.Index, entry.Term), (entry.Data, previousTerm, nodeId));
            return;
        }
        if (!SameData(known.Data, entry.Data))
            Fail($"log matching: nodes {known.Node} and {nodeId} hold different entries at ({entry.Index},t{entry.Term})");
        if (known.PreviousTerm != previousTerm)
            Fail($"log matching: ({entry.Index},t{entry.Term}) follows term {known.PreviousTerm} on node {known.Node} " +
                 $"but term {previousTerm} on node {nodeId}");
    }

    private void CheckLeaderHolds(SimulatedNode leader, CommittedEntry committed)
    {
        var raft = leader.Raft!;
        var index = committed.Entry.Index;
        // Before its log's start the leader holds the entry through the snapshot, which was checked to be a
        // snapshot of the committed log when it was taken or installed.
        if (index < raft.FirstLogIndex) return;
        var term = raft.TermAt(index);
        if (term != committed.Entry.Term)
            Fail($"leader completeness: node {leader.Id} leads term {raft.Term} with {(term is null ? "no entry" : $"term {term}")} " +
                 $"at {index}, where ({index},t{committed.Entry.Term}) was committed (seen by node {committed.FirstAppliedBy} in term {committed.CommitTerm})");
    }

    private static bool SameData(byte[] a, byte[] b) => ReferenceEquals(a, b) || a.AsSpan().SequenceEqual(b);

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private void Fail(string message) => throw new InvariantViolation($"at {clock.Now.TotalMilliseconds:0.###} ms: {message}");

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private T Fail<T>(string message) => throw new InvariantViolation($"at {clock.Now.TotalMilliseconds:0.###} ms: {message}");
}
