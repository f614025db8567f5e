using RaftOrleans.Kv;
using RaftOrleans.Raft;
using RaftOrleans.Replica;

namespace RaftOrleans.Tests.Simulation;

/// <summary>
/// A client issuing random put/get/delete requests one at a time, the way the gateway does: it sends to the
/// leader it believes in, follows NotLeader hints, and when a try is lost (the leader stepped down, another
/// term took the index, the node is down, or no answer came in time) it tries another node with the SAME
/// client id and sequence number, relying on the state machine's sessions for exactly-once. Puts and deletes
/// go through the log; gets, as in the shell, go through the leader's ReadIndex and never enter the log. A
/// get remembers the model's state index when it began, so its answer can be held to linearizability. A
/// client made with readsOnly issues nothing but gets.
/// </summary>
internal sealed class SimulatedClient(
    int number,
    SimulationSettings settings,
    EventQueue queue,
    Random world,
    IReadOnlyList<SimulatedNode> nodes,
    InvariantChecker checker,
    SimulationTrace trace,
    bool readsOnly = false)
{
    /// <summary>How long a client waits on an accepted proposal before it tries elsewhere.</summary>
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(1);

    private byte[] _command = Array.Empty<byte>();
    private long _sequence;
    private int _attempt;
    private int _target;
    private ReadBound _readBegan;
    private int? _leaderGuess;
    private bool _stopped;

    public int Number => number;
    public Guid Id { get; private set; } = NewId(world);

    /// <summary>The request in progress; null while the client thinks or after it stopped.</summary>
    public KvRequest? Current { get; private set; }

    public void Start() => queue.After(world.NextTime(TimeSpan.Zero, 50.Ms()), NextRequest);

    /// <summary>Finish the request in progress, start no other: what "pending requests complete" waits for.</summary>
    public void Stop() => _stopped = true;

    /// <summary>A leader applied this client's command at <paramref name="index"/> and answered.</summary>
    private void OnCommitted(int attempt, long index, KvResult result)
    {
        if (attempt != _attempt || Current is null) return; // the answer to a try already given up on
        if (result.Status == KvStatus.SessionExpired)
        {
            // Not applied now (an earlier copy may have been): the client gives the request up and starts a new session.
            checker.OnSessionExpired(this, Current, index, result);
            if (trace.Enabled) trace.Write($"client {number}'s session {Id:N} expired at #{Current.Sequence}: a new session");
            Id = NewId(world);
            _sequence = 0;
        }
        else checker.OnAcknowledged(this, Current, index, result);
        Done();
    }

    /// <summary>A leader answered this client's get (the checker holds the answer to the model first).</summary>
    private void OnRead(SimulatedNode node, int attempt, KvResult result, ReadState state)
    {
        if (attempt != _attempt || Current is null) return;
        checker.OnReadAnswered(node, this, Current, _readBegan, state, result);
        checker.OnReadAcknowledged(this, Current, result);
        Done();
    }

    private void Done()
    {
        _leaderGuess = _target;
        Current = null;
        _attempt++;
        var next = queue.Now + world.NextTime(TimeSpan.Zero, 30.Ms());
        queue.After(settings.AfterQuietSpell(next) - queue.Now, NextRequest);
    }

    /// <summary>
    /// The try ended without an answer: the node does not lead (any more), or went down. Try the leader it
    /// names, soon; or, with none named, another node after a while (an election is probably on).
    /// </summary>
    private void OnRefused(int attempt, int? leaderHint)
    {
        if (attempt != _attempt || Current is null) return;
        var retry = ++_attempt; // also disarms this try's timeout
        if (leaderHint is { } hint && hint != _target) queue.After(world.NextTime(1.Ms(), 5.Ms()), () => Retry(retry, hint));
        else queue.After(world.NextTime(20.Ms(), 80.Ms()), () => Retry(retry, OtherNode(_target)));
    }

    private void OnOutcome(SimulatedNode node, int attempt, ReplicaOutcome<KvResult> outcome, long index, ReadState read)
    {
        if (outcome.Kind != ReplicaOutcomeKind.Done) OnRefused(attempt, outcome.LeaderHint);
        else if (Current?.Operation == KvOperation.Get) OnRead(node, attempt, outcome.Result!, read);
        else OnCommitted(attempt, index, outcome.Result!);
    }

    private void NextRequest()
    {
        if (_stopped) return;
        Current = NewRequest();
        // Stamped as the leader stamps it, once, at the first send: this client resends without end, and a stamp that
        // ages with the request is what keeps a resend from outliving its session unseen (the console stops resending
        // well within a session lifetime instead: gateway.session_lifetime_ms >= 3 request deadlines).
        _command = KvCommandCodec.Encode(Current, (long)queue.Now.TotalMilliseconds, settings.SessionLifetimeMs);
        // A read must see every write acknowledged before it began (and, from ReadIndex, every entry committed
        // by then: at least the state at the newest committed index any node has applied).
        if (Current.Operation == KvOperation.Get) _readBegan = checker.ReadBound;
        Send(_leaderGuess ?? world.Next(1, nodes.Count + 1));
    }

    private void Retry(int attempt, int target)
    {
        if (attempt == _attempt && Current is not null) Send(target);
    }

    private void Send(int target)
    {
        var attempt = ++_attempt;
        _target = target;
        var node = nodes[target - 1];
        if (!node.IsUp)
        {
            // A dead node answers nothing: the client learns only by waiting for its connection to time out.
            queue.After(world.NextTime(50.Ms(), 150.Ms()), () => Retry(attempt, OtherNode(target)));
            return;
        }

        // Every try has its deadline; an answer (or a refusal) first moves the attempt on and disarms it.
        queue.After(AttemptTimeout, () => TimedOut(attempt));
        if (Current!.Operation == KvOperation.Get)
        {
            if (trace.Enabled) trace.Write($"client {number} reads {Current.Key} (#{Current.Sequence}) at node {target}");
            node.Read(Current.Key, (outcome, read) => OnOutcome(node, attempt, outcome, 0, read));
        }
        else
        {
            if (trace.Enabled) trace.Write($"client {number} sends {Current} to node {target}");
            node.Propose(_command, (outcome, index) => OnOutcome(node, attempt, outcome, index, default));
        }
    }

    private void TimedOut(int attempt)
    {
        if (attempt != _attempt || Current is null) return;
        trace.Write($"client {number} gives up on node {_target} for #{Current.Sequence}");
        _leaderGuess = null;
        Send(OtherNode(_target));
    }

    private int OtherNode(int node)
    {
        var other = world.Next(1, nodes.Count);
        return other >= node ? other + 1 : other;
    }

    /// <summary>A random request; only writes take a sequence number of their own (gets never enter the log), as the console's sessions do.</summary>
    private KvRequest NewRequest()
    {
        var key = $"k{world.Next(settings.KeyCount)}";
        var roll = readsOnly ? 50 : world.Next(100);
        if (roll is >= 45 and < 70) return new KvRequest(Id, _sequence + 1, KvOperation.Get, key);
        var sequence = ++_sequence;
        return roll < 45 ? new KvRequest(Id, sequence, KvOperation.Put, key, $"c{number}s{sequence}")
            : new KvRequest(Id, sequence, KvOperation.Delete, key);
    }

    private static Guid NewId(Random world)
    {
        var bytes = new byte[16];
        world.NextBytes(bytes);
        return new Guid(bytes);
    }
}
