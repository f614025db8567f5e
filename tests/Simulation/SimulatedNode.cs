using RaftOrleans.Kv;
using RaftOrleans.Raft;

namespace RaftOrleans.Tests.Simulation;

/// <summary>
/// One cluster member as the shell would run it: a <see cref="RaftNode"/> and its <see cref="KvStateMachine"/>
/// (both lost in a crash), its <see cref="SimulatedDisk"/> (kept), and the proposals clients wait on. After
/// every input it carries out the node's Ready in the required order (persist, send, apply and answer) and
/// lets the <see cref="InvariantChecker"/> look at the result.
/// </summary>
internal sealed class SimulatedNode(
    int id,
    SimulationSettings settings,
    EventQueue queue,
    Random world,
    SimulatedNetwork network,
    InvariantChecker checker,
    SimulationTrace trace)
{
    private readonly Dictionary<long, AwaitedProposal> _awaited = new();
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

    /// <summary>The last index this life of the node applied to its state machine.</summary>
    public long Applied { get; private set; }

    public bool IsUp => Raft is not null;

    public int Crashes { get; private set; }

    /// <summary>Raised when this node has just won an election (the fault injector ambushes some new leaders).</summary>
    public event Action<SimulatedNode>? BecameLeader;

    /// <summary>Raised when this node, as leader, has just advanced its commit index.</summary>
    public event Action<SimulatedNode>? LeaderCommitted;

    /// <summary>Boots from the disk alone: a fresh state machine re-applies from index 1 as the commit index is relearned.</summary>
    public void Start()
    {
        if (IsUp) throw new InvalidOperationException($"node {id} is already up");
        Raft = new RaftNode(settings.OptionsFor(id), Disk.HardState, Disk.Log.ToArray(), new Random(world.Next()));
        StateMachine = new KvStateMachine();
        Applied = 0;
        Incarnation++;
        _lastTick = queue.Now;
        _seen = (Raft.Role, Raft.Term);
        _seenCommit = 0;
        trace.Write($"node {id} starts: term {Disk.HardState.Term}, vote {Disk.HardState.VotedFor?.ToString() ?? "-"}, log to {Disk.LastIndex}");
        ScheduleTick(Incarnation);
        checker.AfterStep(this);
    }

    /// <summary>Loses everything but the disk. Clients waiting here find out by their own timeouts.</summary>
    public void Crash()
    {
        if (!IsUp) return;
        Raft = null;
        StateMachine = null;
        Incarnation++;
        Crashes++;
        _awaited.Clear();
        if (settings.DiskForgetsHardState) Disk.ForgetHardState();
        trace.Write($"node {id} crashes");
    }

    public void Deliver(RaftMessage message)
    {
        Raft!.Step(message);
        HandleReady();
    }

    public ProposeResult Propose(SimulatedClient client, int attempt, byte[] command)
    {
        var raft = Raft!;
        var result = raft.Propose(command);
        if (result.Accepted) _awaited[result.Index] = new AwaitedProposal(client, attempt, result.Term);
        trace.Write(result.Accepted
            ? $"node {id} accepts client {client.Number} at ({result.Index},t{result.Term})"
            : $"node {id} refuses client {client.Number}: not leader (hint {result.LeaderHint?.ToString() ?? "-"})");
        HandleReady();
        return result;
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
        ScheduleTick(incarnation);
    }

    private void HandleReady()
    {
        var raft = Raft!;
        var before = _seen;
        var commitBefore = _seenCommit;
        var ready = raft.TakeReady();
        _seen = (raft.Role, raft.Term);
        _seenCommit = raft.CommitIndex;

        // 1. Persist: term, vote and entries are durable before any message that depends on them leaves.
        checker.BeforePersist(this, ready);
        if (ready.HardState is { } hardState) Disk.Save(hardState);
        Disk.Write(ready.EntriesToPersist);

        // 2. Send.
        foreach (var message in ready.Messages) network.Send(message);

        // 3. Apply in order, answering the clients that wait on these entries.
        foreach (var entry in ready.CommittedEntries) Apply(raft, entry);

        // A node that no longer leads the term it accepted proposals in cannot vouch for them any more.
        if (_awaited.Count > 0 && (raft.Role != Role.Leader || raft.Term != before.Term)) LoseAwaited(raft.LeaderId);

        if (trace.Enabled && (raft.Role, raft.Term) != before) trace.Write($"node {id} is {raft.Role} in term {raft.Term}");
        checker.AfterStep(this);
        if (raft.Role == Role.Leader && before.Role != Role.Leader) BecameLeader?.Invoke(this);
        if (raft.Role == Role.Leader && raft.CommitIndex > commitBefore) LeaderCommitted?.Invoke(this);
    }

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
            trace.Write($"node {id} answers client {awaited.Client.Number} at ({entry.Index},t{entry.Term}): {result}");
            awaited.Client.OnCommitted(awaited.Attempt, entry.Index, result);
        }
        else
        {
            trace.Write($"node {id}: client {awaited.Client.Number}'s proposal at {entry.Index} lost to term {entry.Term}");
            awaited.Client.OnLost(awaited.Attempt, raft.LeaderId);
        }
    }

    private void LoseAwaited(int? leaderHint)
    {
        foreach (var awaited in _awaited.Values) awaited.Client.OnLost(awaited.Attempt, leaderHint);
        _awaited.Clear();
    }
}
