using RaftOrleans.Raft;

namespace RaftOrleans.Tests.Simulation;

/// <summary>
/// Carries messages between nodes the way a bad network would: each message is delayed by its own random
/// amount (so later messages overtake earlier ones), some take a slow path of hundreds of milliseconds (so
/// stale terms and stale replies arrive late), some are dropped, some arrive twice, and a partition cuts the
/// links between sides. A message is bound to the incarnation of its receiver at send time: a node that
/// crashes loses everything in flight to it.
/// </summary>
internal sealed class SimulatedNetwork(EventQueue queue, Random world, SimulationSettings settings, SimulationTrace trace)
{
    private IReadOnlyList<SimulatedNode> _nodes = Array.Empty<SimulatedNode>();
    private int[] _side = new int[settings.NodeCount + 1];

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
        trace.Write($"partition {string.Join(" | ", Enumerable.Range(1, settings.NodeCount).GroupBy(n => _side[n]).Select(g => string.Join(",", g)))}");
    }

    public void Heal()
    {
        if (IsPartitioned) trace.Write("partition healed");
        _side = new int[settings.NodeCount + 1];
    }

    /// <summary>
    /// Sends <paramref name="message"/>. A snapshot chunk is a call whose answer the sender waits for (the
    /// shell streams chunk after chunk that way): <paramref name="onReply"/> goes with it, and the receiver
    /// sends its reply with <paramref name="afterDelivery"/>, which runs once that reply has been delivered.
    /// A call or its reply may be dropped (the call then times out) or delayed like any message, but it arrives
    /// at most once, as an Orleans call does (a late second copy of a transfer's first chunk would restart the
    /// follower's assembly, a failure Orleans never produces).
    /// </summary>
    public void Send(RaftMessage message, Action<RaftMessage>? onReply = null, Action? afterDelivery = null)
    {
        Sent++;
        if (world.Chance(DropRate))
        {
            if (trace.Enabled) trace.Write($"drop {SimulationTrace.Describe(message)}");
            return;
        }
        Schedule(message, onReply, afterDelivery);
        var isCall = onReply is not null || afterDelivery is not null;
        if (world.Chance(settings.DuplicateRate) && !isCall) Schedule(message, onReply, afterDelivery);
    }

    private void Schedule(RaftMessage message, Action<RaftMessage>? onReply, Action? afterDelivery)
    {
        var delay = world.Chance(settings.SlowRate)
            ? world.NextTime(settings.MaxDelay, settings.SlowDelayMax)
            : world.NextTime(settings.MinDelay, settings.MaxDelay);
        var receiver = _nodes[message.To - 1];
        var incarnation = receiver.Incarnation;
        queue.After(delay, () => Deliver(message, receiver, incarnation, onReply, afterDelivery));
    }

    private void Deliver(RaftMessage message, SimulatedNode receiver, int incarnation, Action<RaftMessage>? onReply,
        Action? afterDelivery)
    {
        // The link is checked on arrival, so a partition also cuts what was already on the wire.
        if (!receiver.IsUp || receiver.Incarnation != incarnation || !Linked(message.From, message.To)) return;
        Delivered++;
        if (trace.Enabled) trace.Write(SimulationTrace.Describe(message)); // formatting every message would cost more than delivering it
        receiver.Deliver(message, onReply);
        afterDelivery?.Invoke();
    }
}
