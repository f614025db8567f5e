using RaftOrleans.Client.Commands;
using RaftOrleans.Client.Status;
using RaftOrleans.Raft;

namespace RaftOrleans.Client.Check;

/// <summary>
/// One kind of fault of a check, injected and healed in turns by <see cref="NemesisRunner"/>: inject, hold for
/// <see cref="Hold"/>, heal. Each says what it did in a line of the run's log.
/// </summary>
internal abstract class Nemesis(CommandContext context)
{
    /// <summary>The group this fault is aimed at (<see cref="Aim"/>); its nodes and leader are the ones hit.</summary>
    protected CommandContext Context { get; private set; } = context;

    private readonly CommandContext _whole = context;

    /// <summary>
    /// Picks the group the next fault hits: the one --group names, else (a store of several groups) one at random, so
    /// that a check runs its faults across every group while its clients' keys spread over all of them.
    /// </summary>
    public void Aim(Random random)
    {
        if (_whole.GroupName is null && _whole.Groups.Count > 1)
            Context = _whole with { GroupName = _whole.Groups.All[random.Next(_whole.Groups.Count)].Name };
    }

    /// <summary>"[group] " before each line of the run's log when faults go to several groups, else nothing.</summary>
    public string Label => _whole.GroupName is null && _whole.Groups.Count > 1 ? $"[{Context.Group.Name}] " : "";

    public abstract NemesisKind Kind { get; }

    /// <summary>Injects the fault and says what it did ("kill -9 node 3's silo (the leader)").</summary>
    public abstract Task<string> InjectAsync(Random random);

    /// <summary>Undoes what <see cref="InjectAsync"/> did and says so.</summary>
    public abstract Task<string> HealAsync();

    /// <summary>How long the fault lasts.</summary>
    public abstract TimeSpan Hold(Random random);

    /// <summary>The cluster now, each node given little time: a node that is down must not slow the nemesis down.</summary>
    protected Task<ClusterSnapshot> SnapshotAsync() => Context.ReadStatusAsync(TimeSpan.FromMilliseconds(500));

    /// <summary>Two times in three the leader (the fault that hurts most), otherwise any node.</summary>
    protected (int Node, string Role) PickTarget(ClusterSnapshot snapshot, Random random)
    {
        var leader = snapshot.Leader?.NodeId;
        var node = leader is { } id && random.Next(3) < 2 ? id : Context.NodeIds[random.Next(Context.NodeIds.Count)];
        return (node, node == leader ? " (the leader)" : "");
    }

    protected static TimeSpan Between(Random random, TimeSpan least, TimeSpan most) =>
        least + (most - least) * random.NextDouble();
}

/// <summary>
/// A silo process (two times in three the leader's) signalled through scripts/cluster.sh and brought back after
/// the hold. <see cref="Kill"/>: kill -9, then a restart. <see cref="Pause"/>: SIGSTOP for several election
/// timeouts (it keeps its sockets and answers nothing; a paused leader wakes up believing it still leads), then
/// SIGCONT; held well below Orleans' own failure detection (tens of seconds), which would declare the silo dead
/// and make it stop for good.
/// </summary>
internal sealed class SiloProcessNemesis : Nemesis
{
    private readonly ClusterScript _script;
    private readonly (string Command, string Shown) _fault;
    private readonly (string Command, string Shown) _heal;
    private readonly Func<Random, TimeSpan> _hold;
    private int _target;

    private SiloProcessNemesis(CommandContext context, ClusterScript script, NemesisKind kind,
        (string Command, string Shown) fault, (string Command, string Shown) heal, Func<Random, TimeSpan> hold) : base(context)
    {
        _script = script;
        Kind = kind;
        _fault = fault;
        _heal = heal;
        _hold = hold;
    }

    public static SiloProcessNemesis Kill(CommandContext context, ClusterScript script) =>
        new(context, script, NemesisKind.Kill, ("kill", "kill -9"), ("restart", "restart"),
            random => Between(random, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3)));

    public static SiloProcessNemesis Pause(CommandContext context, ClusterScript script)
    {
        var electionTimeout = context.Config.Raft.ElectionTimeoutMax;
        return new(context, script, NemesisKind.Pause, ("pause", "SIGSTOP"), ("resume", "SIGCONT"),
            random => Between(random, electionTimeout * 3, electionTimeout * 10));
    }

    public override NemesisKind Kind { get; }

    public override async Task<string> InjectAsync(Random random)
    {
        var snapshot = await SnapshotAsync();
        var (node, role) = PickTarget(snapshot, random);
        await _script.VerifySameClusterAsync(node, snapshot);
        await _script.RunAsync(_fault.Command, node);
        _target = node;
        return $"{_fault.Shown} node {node}'s silo{role}";
    }

    public override async Task<string> HealAsync()
    {
        await _script.RunAsync(_heal.Command, _target);
        return $"{_heal.Shown} node {_target}'s silo";
    }

    public override TimeSpan Hold(Random random) => _hold(random);
}

/// <summary>
/// A minority of the nodes (half the time with the leader) cut off from the rest: every node drops Raft
/// messages across the cut (<see cref="IRaftNodeGrain.CutOff"/>, which needs [faults] enabled); clients still
/// reach every gateway, so requests land on both sides.
/// </summary>
internal sealed class PartitionNemesis(CommandContext context) : Nemesis(context)
{
    public override NemesisKind Kind => NemesisKind.Partition;

    public override async Task<string> InjectAsync(Random random)
    {
        var snapshot = await SnapshotAsync();
        var nodes = Context.NodeIds;
        var size = random.Next(1, (nodes.Count - 1) / 2 + 1);
        var withLeader = snapshot.Leader is { } leader && random.Next(2) == 0;
        var minority = nodes.Where(n => !withLeader || n != snapshot.Leader!.NodeId)
            .OrderBy(_ => random.Next())
            .Take(withLeader ? size - 1 : size)
            .Concat(withLeader ? [snapshot.Leader!.NodeId] : [])
            .Order()
            .ToArray();
        var majority = nodes.Except(minority).ToArray();
        await Task.WhenAll(nodes.Select(n => Context.Node(n).CutOff(minority.Contains(n) ? majority : minority)));
        return $"partition [{string.Join(", ", minority)}]{(withLeader ? " (with the leader)" : "")} | [{string.Join(", ", majority)}]";
    }

    public override async Task<string> HealAsync()
    {
        await HealAllAsync(Context);
        return "partition healed";
    }

    public override TimeSpan Hold(Random random) => Between(random, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5));

    /// <summary>Every node's links restored. Also the check's first step: it proves the silos take the order.</summary>
    public static Task HealAllAsync(CommandContext context) => Task.WhenAll(context.NodeIds.Select(n => context.Node(n).CutOff([])));
}

/// <summary>The grain-level crash of a node (it forgets all it did not persist) and its restart from storage; works on the embedded silo too.</summary>
internal sealed class CrashNodeNemesis(CommandContext context) : Nemesis(context)
{
    private int _crashed;

    public override NemesisKind Kind => NemesisKind.CrashNode;

    public override async Task<string> InjectAsync(Random random)
    {
        var (node, role) = PickTarget(await SnapshotAsync(), random);
        await Context.Node(node).Crash();
        _crashed = node;
        return $"crash node {node}{role}";
    }

    public override async Task<string> HealAsync()
    {
        await Context.Node(_crashed).Restart();
        return $"node {_crashed} restarted";
    }

    public override TimeSpan Hold(Random random) => Between(random, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3));
}

/// <summary>
/// A leadership transfer (`client transfer-leader`) to a random follower, or to the leader's own pick: while it
/// runs the leader takes no proposals, then the target campaigns in the next term. Nothing to heal: the hold is
/// the time the transfer may take.
/// </summary>
internal sealed class TransferNemesis(CommandContext context) : Nemesis(context)
{
    public override NemesisKind Kind => NemesisKind.Transfer;

    public override async Task<string> InjectAsync(Random random)
    {
        if ((await SnapshotAsync()).Leader is not { } leader) return "transfer: no leader to move";
        var followers = Context.NodeIds.Where(n => n != leader.NodeId).ToArray();
        int? target = random.Next(4) == 0 ? null : followers[random.Next(followers.Length)];
        var result = await Context.Node(leader.NodeId).TransferLeadership(target);
        return result.Started
            ? $"transfer leadership from node {leader.NodeId} to node {result.Target}{(target is null ? " (its pick)" : "")}"
            : $"transfer from node {leader.NodeId} refused: {result.Refusal}";
    }

    public override Task<string> HealAsync() => Task.FromResult("transfer over");

    public override TimeSpan Hold(Random random) => Context.Config.Raft.ElectionTimeoutMax;
}

/// <summary>
/// A membership change and its undoing, as an operator replaces a machine: a voter (two times in three the leader)
/// is removed; at the heal it is added back as a learner, catches up, and is promoted again. While it is out, the
/// cluster runs with one voter fewer; the removed node hears nothing and keeps its data, from which it catches up.
/// </summary>
internal sealed class MembershipNemesis(CommandContext context) : Nemesis(context)
{
    /// <summary>How long the heal may take to bring the node back as a voter (a catch-up by snapshot included).</summary>
    private static readonly TimeSpan HealDeadline = TimeSpan.FromSeconds(60);

    private int? _removed;

    public override NemesisKind Kind => NemesisKind.Membership;

    public override async Task<string> InjectAsync(Random random)
    {
        var snapshot = await SnapshotAsync();
        if (snapshot.Leader is not { } leader) return "membership: no leader to ask";
        if (leader.Voters.Length < 3) return $"membership: only {leader.Voters.Length} voters, none removed";
        var node = random.Next(3) < 2 ? leader.NodeId : leader.Voters[random.Next(leader.Voters.Length)];
        var result = await MembershipRequest.AskAsync(Context, leader.NodeId, new MembershipChange(MembershipChangeKind.Remove, node));
        // Unknown: it may still take effect; the heal looks at the configuration and undoes whatever happened.
        if (result.Status is MembershipStatus.Committed or MembershipStatus.Unknown) _removed = node;
        var who = node == leader.NodeId ? " (the leader)" : "";
        return result.Status == MembershipStatus.Committed
            ? $"remove node {node}{who}: committed at index {result.Index}, voters {string.Join(",", result.Config!.Voters)}"
            : $"remove node {node}{who}: {result.Status.ToString().ToLowerInvariant()}: {result.Reason}";
    }

    public override async Task<string> HealAsync()
    {
        if (_removed is not { } node) return "membership: nothing to undo";
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var steps = new List<string>();
        while (clock.Elapsed < HealDeadline)
        {
            var snapshot = await SnapshotAsync();
            if (snapshot.Leader is { } leader)
            {
                if (leader.Voters.Contains(node))
                {
                    _removed = null;
                    return $"node {node} is a voter again ({string.Join(", ", steps)}; {clock.Elapsed.TotalSeconds:F1} s)";
                }
                var change = leader.Learners.Contains(node) ? MembershipChangeKind.Promote : MembershipChangeKind.AddLearner;
                var result = await MembershipRequest.AskAsync(Context, leader.NodeId, new MembershipChange(change, node));
                if (result.Status == MembershipStatus.Committed)
                {
                    steps.Add(change == MembershipChangeKind.Promote ? "promoted" : "added as a learner");
                    continue;
                }
                // Refused (it has not caught up yet, the previous change is not committed, a new leader's first moments):
                // wait a heartbeat or so and look again.
            }
            await Task.Delay(Context.Config.Raft.HeartbeatInterval * 4);
        }
        throw new InvalidOperationException($"node {node} was not a voter again within {HealDeadline.TotalSeconds:F0} s ({string.Join(", ", steps)}); see `client member list`");
    }

    public override TimeSpan Hold(Random random) => Between(random, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3));
}
