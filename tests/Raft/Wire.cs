using RaftOrleans.Raft;

namespace RaftOrleans.Tests.Raft;

/// <summary>
/// A hand-driven network for the core's unit tests (etcd's raft_test.go has the same): a few bare cores in one
/// thread, each batch carried out at once in the order the core asks (persist and report it stable, send
/// requests and replies, report the committed entries applied), messages queued and delivered in order when
/// asked. Cut nodes neither send nor receive. It also records every leader it sees per term. It is no model of
/// the shell: the replica (grains/Replica) is tested by the simulation, which runs the real one.
/// </summary>
internal sealed class Wire
{
    private readonly Queue<RaftMessage> _pending = new();

    public Wire(params RaftNode[] nodes)
    {
        foreach (var node in nodes)
        {
            All[node.Id] = node;
            PersistedLog[node.Id] = Enumerable.Range(1, (int)node.LastLogIndex).Select(i => node.EntryAt(i)).ToList();
            Applied[node.Id] = new List<LogEntry>();
        }
    }

    /// <summary>A node joins the network (a new server, started empty, to be added to the cluster).</summary>
    public void Join(RaftNode node)
    {
        All[node.Id] = node;
        PersistedLog[node.Id] = new List<LogEntry>();
        Applied[node.Id] = new List<LogEntry>();
    }

    public Dictionary<int, RaftNode> All { get; } = new();
    public Dictionary<int, HardState> PersistedHardState { get; } = new();
    public Dictionary<int, List<LogEntry>> PersistedLog { get; } = new();
    public Dictionary<int, List<LogEntry>> Applied { get; } = new();

    /// <summary>Nodes cut off from everyone: what they send is dropped, nothing reaches them.</summary>
    public HashSet<int> Cut { get; } = new();

    /// <summary>Every (term, leader) pair ever observed.</summary>
    public Dictionary<long, HashSet<int>> LeadersByTerm { get; } = new();

    /// <summary>Messages delivered so far, requests and replies.</summary>
    public long Delivered { get; private set; }

    public RaftNode this[int id] => All[id];

    /// <summary>Takes every node's Ready and carries it out.</summary>
    public void Flush()
    {
        foreach (var node in All.Values)
        {
            var ready = node.TakeReadyCarriedOut(); // reports the batch stable and applied, as a shell would
            if (ready.HardState is { } hs) PersistedHardState[node.Id] = hs;
            if (ready.EntriesToPersist.Count > 0)
            {
                var log = PersistedLog[node.Id];
                var first = ready.EntriesToPersist[0].Index;
                log.RemoveAll(e => e.Index >= first);
                log.AddRange(ready.EntriesToPersist);
            }
            foreach (var message in ready.Messages.Concat(ready.Replies))
            {
                if (!Cut.Contains(message.From) && !Cut.Contains(message.To) && All.ContainsKey(message.To))
                    _pending.Enqueue(message);
            }
            Applied[node.Id].AddRange(ready.CommittedEntries);
            if (node.Role == Role.Leader)
            {
                if (!LeadersByTerm.TryGetValue(node.Term, out var leaders)) LeadersByTerm[node.Term] = leaders = new HashSet<int>();
                leaders.Add(node.Id);
            }
        }
    }

    /// <summary>Delivers queued messages (and the messages they cause) until the network is quiet.</summary>
    public void DeliverAll(int limit = 100_000)
    {
        Flush();
        while (_pending.Count > 0)
        {
            if (limit-- == 0) throw new InvalidOperationException("the network never went quiet");
            var message = _pending.Dequeue();
            if (Cut.Contains(message.From) || Cut.Contains(message.To)) continue;
            Delivered++;
            All[message.To].Step(message);
            Flush();
        }
    }

    /// <summary>Lets <paramref name="duration"/> pass in 1 ms ticks, delivering everything after each tick.</summary>
    public void RunFor(TimeSpan duration)
    {
        for (var t = TimeSpan.Zero; t < duration; t += Nodes.Step)
        {
            foreach (var node in All.Values) node.Tick(Nodes.Step);
            DeliverAll();
        }
    }

    /// <summary>Runs until some reachable node leads, at most <paramref name="limit"/> of virtual time.</summary>
    public RaftNode RunUntilLeader(TimeSpan limit)
    {
        for (var t = TimeSpan.Zero; t < limit; t += Nodes.Step)
        {
            foreach (var node in All.Values) node.Tick(Nodes.Step);
            DeliverAll();
            var leader = All.Values.FirstOrDefault(n => n.Role == Role.Leader && !Cut.Contains(n.Id));
            if (leader is not null) return leader;
        }
        throw new InvalidOperationException($"no leader within {limit}");
    }
}
