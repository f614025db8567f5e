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

    public void Send(RaftMessage message)
    {
        Sent++;
        if (world.Chance(DropRate))
        {
            trace.Write($"drop {SimulationTrace.Describe(message)}");
            return;
        }
        Schedule(message);
        if (world.Chance(settings.DuplicateRate)) Schedule(message);
    }

    private void Schedule(RaftMessage message)
    {
        var delay = world.Chance(settings.SlowRate)
            ? world.NextTime(settings.MaxDelay, settings.SlowDelayMax)
            : world.NextTime(settings.MinDelay, settings.MaxDelay);
        var receiver = _nodes[message.To - 1];
        var incarnation = receiver.Incarnation;
        queue.After(delay, () => Deliver(message, receiver, incarnation));
    }

    private void Deliver(RaftMessage message, SimulatedNode receiver, int incarnation)
    {
        // The link is checked on arrival, so a partition also cuts what was already on the wire.
        if (!receiver.IsUp || receiver.Incarnation != incarnation || !Linked(message.From, message.To)) return;
        Delivered++;
        trace.Write(SimulationTrace.Describe(message));
        receiver.Deliver(message);
    }
}
