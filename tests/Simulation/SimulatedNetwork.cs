using RaftOrleans.Raft;

namespace RaftOrleans.Tests.Simulation;

/// <summary>
/// Carries the replicas' calls the way a bad network would: a request and its reply each travel with a delay of
/// their own (so later calls overtake earlier ones), some take a slow path of hundreds of milliseconds (so stale
/// terms and stale replies arrive late), some are dropped (the call then fails at its deadline, as a grain call
/// does, and Raft's timers resend), some requests arrive twice, and a partition cuts the links between sides. A request is bound to the
/// life of its receiver, and a reply to the life of its caller, at send time: a node that crashes loses
/// everything in flight to it.
/// </summary>
internal sealed class SimulatedNetwork(EventQueue queue, Random world, SimulationSettings settings, SimulationTrace trace, InvariantChecker checker)
{
    private IReadOnlyList<SimulatedNode> _nodes = Array.Empty<SimulatedNode>();
    private int[] _side = new int[settings.TotalNodes + 1];

    public double DropRate { get; set; } = settings.DropRate;

    public long Sent { get; private set; }
    public long Delivered { get; private set; }

    public bool IsPartitioned => _side.Any(s => s != 0);

    public void Connect(IReadOnlyList<SimulatedNode> nodes) => _nodes = nodes;

    public bool Linked(int a, int b) => _side[a] == _side[b];

    /// <summary>Splits the cluster: nodes talk only to nodes on the same side (side numbers index by node id).</summary>
    public void Partition(int[] sideOfNode)
    {
        _side = sideOfNode;
        trace.Write($"partition {string.Join(" | ", Enumerable.Range(1, settings.TotalNodes).GroupBy(n => _side[n]).Select(g => string.Join(",", g)))}");
    }

    public void Heal()
    {
        if (IsPartitioned) trace.Write("partition healed");
        _side = new int[settings.TotalNodes + 1];
    }

    /// <summary>
    /// A call from <paramref name="caller"/>: <paramref name="answered"/> gets the first reply that makes it back
    /// (as a grain call's result), or nothing at all. A snapshot chunk is never duplicated: Orleans delivers a call
    /// at most once, and a late second copy of a transfer's first chunk would restart the follower's assembly.
    /// </summary>
    public void Call(SimulatedNode caller, RaftMessage request, Action<RaftMessage?> answered)
    {
        var callerLife = caller.Incarnation;
        var replied = false;
        void Reply(RaftMessage reply)
        {
            if (replied || caller.Incarnation != callerLife || !caller.IsUp) return;
            replied = true;
            answered(reply);
        }

        // A call that gets no answer (the request or its reply was dropped) fails a deadline after the loss (a
        // grain call fails a deadline after it was made: the same, or sooner); a late reply (the slow path) is
        // still delivered, which is harsher than Orleans.
        void TimedOut() => queue.After(settings.RpcTimeout, () =>
        {
            if (replied || caller.Incarnation != callerLife || !caller.IsUp) return;
            replied = true;
            answered(null);
        });

        Sent++;
        if (Dropped(request))
        {
            TimedOut();
            return;
        }
        Schedule(request, Reply, TimedOut);
        if (request is not InstallSnapshot && world.Chance(settings.DuplicateRate)) Schedule(request, Reply, () => { });
    }

    /// <summary>
    /// A one-way message from silo <paramref name="from"/> to silo <paramref name="to"/> outside any call (a silo's
    /// heartbeat for its quiesced replicas): dropped, delayed and cut like the calls, and run on arrival.
    /// </summary>
    public void Deliver(int from, int to, Action arrive)
    {
        Sent++;
        if (world.Chance(DropRate)) return;
        queue.After(Delay(), () =>
        {
            if (!Linked(from, to)) return;
            Delivered++;
            arrive();
        });
    }

    private bool Dropped(RaftMessage message)
    {
        if (!world.Chance(DropRate)) return false;
        if (trace.Enabled) trace.Write($"drop {SimulationTrace.Describe(message)}");
        return true;
    }

    private TimeSpan Delay() => world.Chance(settings.SlowRate)
        ? world.NextTime(settings.MaxDelay, settings.SlowDelayMax)
        : world.NextTime(settings.MinDelay, settings.MaxDelay);

    private void Schedule(RaftMessage request, Action<RaftMessage> reply, Action replyDropped)
    {
        var receiver = _nodes[request.To - 1];
        var receiverLife = receiver.Incarnation;
        queue.After(Delay(), () =>
        {
            // The link is checked on arrival, so a partition also cuts what was already on the wire.
            if (!receiver.IsUp || receiver.Incarnation != receiverLife || !Linked(request.From, request.To))
            {
                replyDropped();
                return;
            }
            Delivered++;
            if (trace.Enabled) trace.Write(SimulationTrace.Describe(request)); // formatting every message would cost more than delivering it
            receiver.Receive(request, answer =>
            {
                if (answer is null)
                {
                    replyDropped(); // the receiver wrote no reply, or went down first
                    return;
                }
                checker.OnSending(receiver, answer, request);
                Sent++;
                if (Dropped(answer))
                {
                    replyDropped();
                    return;
                }
                queue.After(Delay(), () =>
                {
                    if (!Linked(answer.From, answer.To))
                    {
                        replyDropped();
                        return;
                    }
                    Delivered++;
                    if (trace.Enabled) trace.Write(SimulationTrace.Describe(answer));
                    reply(answer);
                });
            });
        });
    }
}
