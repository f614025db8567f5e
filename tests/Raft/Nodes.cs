using RaftOrleans.Configuration;
using RaftOrleans.Raft;
using RaftOrleans.Silo;

namespace RaftOrleans.Tests.Raft;

/// <summary>
/// Builds single nodes and drives them by hand: the fixtures every protocol test starts from. Nodes run with the
/// shipped defaults: raft.toml's, mapped to the core's options as the silo maps them.
/// </summary>
internal static class Nodes
{
    public static readonly TimeSpan ElectionMin = RaftConfig.Default.Raft.ElectionTimeoutMin;
    public static readonly TimeSpan ElectionMax = RaftConfig.Default.Raft.ElectionTimeoutMax;
    public static readonly TimeSpan Heartbeat = RaftConfig.Default.Raft.HeartbeatInterval;

    /// <summary>The tick every test uses when it walks time forward in small steps.</summary>
    public static readonly TimeSpan Step = TimeSpan.FromMilliseconds(1);

    /// <summary>
    /// Node <paramref name="id"/> of 1..<paramref name="clusterSize"/>; a null batch size keeps the default. Pre-vote
    /// is off unless asked for: these tests drive the paper's election by hand (a timeout is a campaign in the next
    /// term), and PreVoteTests the round before it. So is quiescence: the paper's leader heartbeats forever, and
    /// QuiescenceTests take it on.
    /// </summary>
    public static RaftOptions Options(int id, int clusterSize, int? maxEntriesPerAppend = null, bool preVote = false, bool quiesce = false,
        int? maxInflightAppends = null)
    {
        var cluster = RaftClusterOptionsFactory.From(RaftConfig.Default with { Cluster = new ClusterSettings { Nodes = clusterSize } });
        var options = cluster.ForNode(cluster.Groups.All[0], id) with { PreVote = preVote, Quiesce = quiesce };
        if (maxInflightAppends is { } inflight) options = options with { MaxInflightAppends = inflight };
        return maxEntriesPerAppend is { } batch ? options with { MaxEntriesPerAppend = batch } : options;
    }

    public static RaftNode New(
        int id, int clusterSize, HardState? hardState = null, IEnumerable<LogEntry>? log = null,
        int seed = 1, int? maxEntriesPerAppend = null, bool preVote = false, bool quiesce = false, int? maxInflightAppends = null) =>
        new(Options(id, clusterSize, maxEntriesPerAppend, preVote, quiesce, maxInflightAppends), hardState ?? HardState.Initial,
            log ?? Array.Empty<LogEntry>(), new Random(seed));

    /// <summary>A log whose entry i (1-based) has term terms[i-1] and a small non-empty command naming it.</summary>
    public static LogEntry[] Log(params long[] terms) =>
        terms.Select((term, i) => Entry(i + 1, term)).ToArray();

    public static LogEntry Entry(long index, long term) => new(index, term, new[] { (byte)index, (byte)term, (byte)0x5A });

    /// <summary>Ticks in 1 ms steps until the node leaves the follower role; returns the time that took.</summary>
    public static TimeSpan TickUntilCandidate(RaftNode node)
    {
        var waited = TimeSpan.Zero;
        while (node.Role == Role.Follower)
        {
            if (waited > ElectionMax + ElectionMax) throw new InvalidOperationException("node never campaigned");
            node.Tick(Step);
            waited += Step;
        }
        return waited;
    }

    /// <summary>Ticks in 1 ms steps until the node campaigns in <paramref name="term"/>.</summary>
    public static void TickUntilCandidateOfTerm(RaftNode node, long term)
    {
        var waited = TimeSpan.Zero;
        while (!(node.Role == Role.Candidate && node.Term == term))
        {
            if (waited > TimeSpan.FromSeconds(10)) throw new InvalidOperationException($"node never campaigned in term {term}");
            node.Tick(Step);
            waited += Step;
        }
    }

    /// <summary>
    /// Makes <paramref name="node"/> leader of its hard-state term + 1: it times out, campaigns, and receives
    /// granted votes from <paramref name="voters"/>. The campaign's Ready is discarded; the returned Ready
    /// is the one produced by winning (the no-op and the first AppendEntries).
    /// </summary>
    public static Ready Elect(RaftNode node, params int[] voters)
    {
        TickUntilCandidate(node);
        node.TakeReadyCarriedOut();
        foreach (var voter in voters) node.Step(Grant(voter, node.Id, node.Term));
        if (node.Role != Role.Leader) throw new InvalidOperationException($"node {node.Id} did not win term {node.Term}");
        return node.TakeReadyCarriedOut();
    }

    /// <summary>
    /// Delivers the messages of <paramref name="ready"/> addressed to <paramref name="receivers"/> (others are
    /// dropped), one at a time, and steps each receiver's answers to <paramref name="sender"/> straight back.
    /// </summary>
    public static void Exchange(RaftNode sender, Ready ready, params RaftNode[] receivers)
    {
        foreach (var message in ready.Messages)
        {
            var receiver = receivers.FirstOrDefault(r => r.Id == message.To);
            if (receiver is null) continue;
            receiver.Step(message);
            foreach (var answer in receiver.TakeReady().Replies.Where(m => m.To == sender.Id)) sender.Step(answer);
        }
    }

    public static RequestVoteReply Grant(int from, int to, long term) =>
        new() { From = from, To = to, Term = term, VoteGranted = true };

    public static RequestVoteReply Deny(int from, int to, long term) =>
        new() { From = from, To = to, Term = term, VoteGranted = false };

    public static RequestVote AskVote(int from, int to, long term, long lastIndex, long lastTerm) =>
        new() { From = from, To = to, Term = term, LastLogIndex = lastIndex, LastLogTerm = lastTerm };

    public static AppendEntries Append(
        int from, int to, long term, long prevIndex, long prevTerm, LogEntry[]? entries = null, long leaderCommit = 0) =>
        new()
        {
            From = from, To = to, Term = term, PrevLogIndex = prevIndex, PrevLogTerm = prevTerm,
            Entries = entries ?? Array.Empty<LogEntry>(), LeaderCommit = leaderCommit,
        };

    public static AppendEntriesReply Acked(int from, int to, long term, long matchIndex) => new()
    {
        From = from, To = to, Term = term, Success = true, MatchIndex = matchIndex,
        RejectedPrevIndex = 0, ConflictTerm = 0, ConflictIndex = 0,
    };

    /// <summary>The node's whole log as (index, term, command) triples, comparable across nodes.</summary>
    public static IReadOnlyList<(long Index, long Term, string Data)> Contents(RaftNode node) =>
        Enumerable.Range(1, (int)node.LastLogIndex)
            .Select(i => node.EntryAt(i))
            .Select(e => (e.Index, e.Term, Convert.ToHexString(e.Data)))
            .ToArray();

    public static long[] Terms(RaftNode node) =>
        Enumerable.Range(1, (int)node.LastLogIndex).Select(i => node.EntryAt(i).Term).ToArray();

    /// <summary>What the batch sends of type <typeparamref name="T"/>: its requests and its replies alike.</summary>
    public static IEnumerable<T> Sent<T>(this Ready ready) where T : RaftMessage => ready.Messages.Concat(ready.Replies).OfType<T>();

    /// <summary>
    /// Takes the batch and reports it carried out, as a shell does: its entries durable (<see cref="RaftNode.StableTo"/>,
    /// which lets a leader count itself) and its committed entries applied (<see cref="RaftNode.AppliedTo"/>).
    /// </summary>
    public static Ready TakeReadyCarriedOut(this RaftNode node)
    {
        var ready = node.TakeReady();
        if (ready.EntriesToPersist.Count > 0) node.StableTo(ready.EntriesToPersist[^1].Index, ready.EntriesToPersist[^1].Term);
        if (ready.CommittedEntries.Count > 0) node.AppliedTo(ready.CommittedEntries[^1].Index);
        return ready;
    }
}
