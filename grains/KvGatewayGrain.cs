using System.Diagnostics;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Orleans.GrainDirectory;
using RaftOrleans.Groups;
using RaftOrleans.Placement;
using RaftOrleans.Kv;
using RaftOrleans.Metrics;
using RaftOrleans.Status;

namespace RaftOrleans;

/// <summary>
/// Finds the request's group (the one it names, else its key's hash: <see cref="RaftGroups.For"/>), then that group's
/// leader, forwards (a batch's requests for one group in one call: <see cref="Batch"/>), retries. Stateless worker: Orleans runs as many activations as load needs, all
/// starting from the leader of each group this silo's gateways last reached (<see cref="LeaderCache"/>). Every retry reuses the request's (client id, sequence), so
/// however often a request is resent, the state machine applies it at most once.
/// </summary>
[StatelessWorker, Reentrant, GrainDirectory(GrainDirectoryName = PlacementOnlyDirectory.Name)]
public sealed partial class KvGatewayGrain : Grain, IKvGatewayGrain
{
    // One attempt at one node is cut short after this, so a stuck node costs a fraction of the deadline.
    private static readonly TimeSpan MaxAttempt = TimeSpan.FromSeconds(1);

    private readonly RaftClusterOptions _cluster;
    private readonly LeaderCache _leader;
    private readonly RaftMetrics _metrics;
    private readonly ILogger<KvGatewayGrain> _logger;
    private int _roundRobin;

    public KvGatewayGrain(RaftClusterOptions cluster, LeaderCache leader, RaftMetrics metrics, ILogger<KvGatewayGrain> logger)
    {
        _cluster = cluster;
        _leader = leader;
        _metrics = metrics;
        _logger = logger;
        _roundRobin = Random.Shared.Next(cluster.Nodes);
    }

    public Task<KvResult> Put(Guid clientId, long sequence, string key, string value, string? group = null) =>
        Execute(new KvRequest(clientId, sequence, KvOperation.Put, key, value), group);

    public Task<KvResult> Get(Guid clientId, long sequence, string key, string? group = null) =>
        Execute(new KvRequest(clientId, sequence, KvOperation.Get, key), group);

    public Task<KvResult> Delete(Guid clientId, long sequence, string key, string? group = null) =>
        Execute(new KvRequest(clientId, sequence, KvOperation.Delete, key), group);

    public Task<KvResult[]> Batch(KvGroupRequest[] requests)
    {
        // A client that writes Orleans' wire format itself can send holes; each gets an answer saying so.
        requests ??= [];
        var answers = new Task<KvResult>[requests.Length];
        var shares = new Dictionary<RaftGroup, List<int>>();
        for (var i = 0; i < requests.Length; i++)
        {
            if (requests[i]?.Request is not { } request) answers[i] = Task.FromResult(KvResult.Invalid($"request {i + 1} of the batch is missing"));
            else if (Admit(request, requests[i].Group, out var group) is { } refused) answers[i] = Task.FromResult(refused);
            else if (shares.TryGetValue(group, out var share)) share.Add(i);
            else shares[group] = [i];
        }
        // A group's share goes to its leader in one call: one grain turn there and one append, not one per request.
        // From its answer on, each request is on its own, as if it had come alone: a NotLeader answer, a failed call or
        // a timeout sends it on through Forward's retries, under the batch's deadline.
        var deadline = Stopwatch.StartNew();
        foreach (var (group, share) in shares)
        {
            var target = FirstTarget(group);
            var together = SubmitWhileReachableAsync(group.Name, target, share.Select(i => requests[i].Request).ToArray(), Attempt(_cluster.RequestTimeout));
            for (var j = 0; j < share.Count; j++)
                answers[share[j]] = Forward(requests[share[j]].Request, group, deadline, target, AnswerOf(together, j));
        }
        return Task.WhenAll(answers);
    }

    public async Task<NodeStatus> GetNodeStatus(string group, int nodeId, TimeSpan? wait = null)
    {
        var patience = wait is { } asked && asked > TimeSpan.Zero ? (asked < MaxStatusWait ? asked : MaxStatusWait) : _cluster.RpcTimeout;
        var node = await GroupMembers.NodeAsync(GrainFactory, _leader, _cluster.Groups, group, nodeId, patience);
        return await node.GetStatus().WaitAsync(patience);
    }

    public Task<KvClientSettings> GetClientSettings() => Task.FromResult(_cluster.ClientSettings);

    /// <summary>The longest a client may have a gateway wait for one node's status.</summary>
    private static readonly TimeSpan MaxStatusWait = TimeSpan.FromSeconds(10);

    private Task<KvResult> Execute(KvRequest request, string? groupName) =>
        Admit(request, groupName, out var group) is { } refused
            ? Task.FromResult(refused)
            : Forward(request, group, Stopwatch.StartNew(), FirstTarget(group), firstAttempt: null);

    /// <summary>Null and the request's group if it may go on; else the answer that refuses it.</summary>
    private KvResult? Admit(KvRequest request, string? groupName, out RaftGroup group)
    {
        group = null!;
        if (KvRequestValidator.Problem(request, _cluster.MaxKeyBytes, _cluster.MaxValueBytes) is { } problem) return KvResult.Invalid(problem);
        if (groupName is not null && _cluster.Groups.Unknown(groupName) is { } unknown) return KvResult.Invalid(unknown);
        group = _cluster.Groups.For(groupName, request.Key);
        return null;
    }

    /// <summary>The node a request for <paramref name="group"/> tries first: the leader this silo last reached, else the next member.</summary>
    private int FirstTarget(RaftGroup group) => _leader.Leader(group.Name) ?? NextNode(group);

    /// <summary>One attempt at one node takes at most this, less when the request's deadline is nearer.</summary>
    private static TimeSpan Attempt(TimeSpan remaining) => remaining < MaxAttempt ? remaining : MaxAttempt;

    private static async Task<KvResult> AnswerOf(Task<KvResult[]> together, int index) => (await together)[index];

    /// <summary>
    /// Takes the request to its group's leader, starting at <paramref name="target"/>, and follows hints and elections
    /// until an answer comes or the deadline passes. <paramref name="firstAttempt"/>: the answer of an attempt at
    /// <paramref name="target"/> already under way (a batch's shared call), taken as this request's first.
    /// </summary>
    private async Task<KvResult> Forward(KvRequest request, RaftGroup group, Stopwatch deadline, int target, Task<KvResult>? firstAttempt)
    {
        int? previous = null;
        string lastProblem = "no node answered";
        var attempts = 0;
        while (true)
        {
            // Read the clock once per attempt: a negative budget would make WaitAsync wait forever or throw.
            var remaining = _cluster.RequestTimeout - deadline.Elapsed;
            if (remaining <= TimeSpan.Zero) break;
            if (attempts++ > 0) _metrics.GatewayRetried();
            if (_cluster.OneNodePerSilo && !_cluster.Hosts(target)) _metrics.GatewayWentToAnotherSilo();
            try
            {
                var attempt = firstAttempt ?? AnswerOf(SubmitWhileReachableAsync(group.Name, target, [request], Attempt(remaining)), 0);
                firstAttempt = null;
                var result = await attempt;
                if (result.Status != KvStatus.NotLeader)
                {
                    _leader.Reached(group.Name, target);
                    return Routed(result, result.IsDefinitive ? target : null); // another answer may come from a node that no longer leads
                }
                lastProblem = $"node {target} of group {group.Name} is not the leader";
                if (result.LeaderHint is { } hint && hint != target)
                {
                    // A hint back to the node just left: two nodes naming each other (a leadership transfer under
                    // way, or news of an election still travelling). Give it a heartbeat rather than bounce at once.
                    if (hint == previous) await Task.Delay(_cluster.HeartbeatInterval);
                    previous = target;
                    target = hint;
                    continue;
                }
            }
            catch (Exception error)
            {
                // Whatever went wrong at that node (down, slow, failed to activate), another node may lead.
                lastProblem = $"node {target} of group {group.Name}: {error.Message}";
                LogAttemptFailed(request.ToString(), group.Name, target, error.Message);
            }

            // No usable hint: an election is probably under way. Wait about one heartbeat, less if this silo hears of
            // a leader meanwhile (its node tells LeaderCache at once), then try that leader, else the next node.
            _leader.Failed(group.Name, target);
            previous = null;
            var news = _leader.NextLeader(group.Name);
            if (_leader.Leader(group.Name) is not { } known || known == target) await Task.WhenAny(news, Task.Delay(_cluster.HeartbeatInterval));
            target = _leader.Leader(group.Name) is { } heard && heard != target ? heard : NextNode(group);
        }

        _metrics.GatewayUnavailable();
        return Routed(KvResult.Unavailable(
            $"not committed within {_cluster.RequestTimeout.TotalMilliseconds:F0} ms ({lastProblem}); " +
            "it may still take effect once if it reached a leader, never twice"), answeredBy: null);
    }

    /// <summary>
    /// Cluster mode: the answer names this silo's node and the node that answered, so that the client library sends the
    /// group's next requests to the gateway on the leader's silo, which reaches the leader without leaving its process
    /// (<see cref="KvResult.GatewayNode"/>). Embedded mode has one silo: nothing to say.
    /// </summary>
    private KvResult Routed(KvResult result, int? answeredBy) =>
        _cluster.OneNodePerSilo ? result with { Leader = answeredBy, GatewayNode = _cluster.HostedNodes[0] } : result;

    /// <summary>
    /// Submits and waits up to <paramref name="limit"/>, but gives up early when the node is no longer worth
    /// waiting for: a request that reached a silo just killed is lost without an error, and waiting for it cost
    /// the whole <see cref="MaxAttempt"/> after every leader crash. The moment this silo learns of another leader
    /// (its node tells <see cref="LeaderCache"/> as soon as it hears of one) that leader is tried instead; and every
    /// minimum election timeout the node is pinged, the attempt abandoned if the ping fails or takes longer than a
    /// peer call may (rpc_timeout). The ping runs beside the wait, so news of a leader never waits for a ping to a
    /// dead silo. Each request keeps its id, so it is applied at most once however many nodes it reaches.
    /// </summary>
    private async Task<KvResult[]> SubmitWhileReachableAsync(string group, int target, KvRequest[] requests, TimeSpan limit)
    {
        var node = GrainFactory.RaftNode(group, target);
        var clock = Stopwatch.StartNew();
        var news = _leader.NextLeader(group); // only a leader learned of after this is news
        var submit = node.Submit(requests);
        Task<Exception?>? ping = null;
        var lastPing = TimeSpan.Zero;
        // Every request passes here: the pause of each turn is cancelled when the attempt ends, not left to run out.
        using var pauses = new CancellationTokenSource();
        try
        {
            while (true)
            {
                var left = limit - clock.Elapsed;
                if (left <= TimeSpan.Zero) return await submit.WaitAsync(TimeSpan.Zero);
                var untilPing = ping is null ? _cluster.ElectionTimeoutMin - (clock.Elapsed - lastPing) : left;
                var wait = untilPing < left ? untilPing : left;
                if (wait > TimeSpan.Zero)
                {
                    var pause = Task.Delay(wait, pauses.Token);
                    await (ping is null ? Task.WhenAny(submit, news, pause) : Task.WhenAny(submit, news, ping, pause));
                }
                if (submit.IsCompleted) return await submit;
                if (news.IsCompleted)
                {
                    if (_leader.Leader(group) is { } leader && leader != target) return Array.ConvertAll(requests, _ => KvResult.NotLeader(leader));
                    news = _leader.NextLeader(group);
                }
                if (ping is { IsCompleted: true })
                {
                    // The node is gone (its silo not active) or stuck (a paused silo): the attempt ends with why.
                    if (await ping is { } unreachable) ExceptionDispatchInfo.Throw(unreachable);
                    ping = null;
                }
                if (ping is null && clock.Elapsed - lastPing >= _cluster.ElectionTimeoutMin)
                {
                    lastPing = clock.Elapsed;
                    ping = PingAsync(node);
                }
            }
        }
        finally
        {
            pauses.Cancel();
        }
    }

    /// <summary>
    /// Whether the node answers within a peer call's time: Start is idempotent and leaves the replica alone, and only
    /// the node's own silo answers it. Never throws (an attempt may end with a ping still out): the failure, or null.
    /// </summary>
    private async Task<Exception?> PingAsync(IRaftNodeGrain node)
    {
        try
        {
            await node.Start().WaitAsync(_cluster.RpcTimeout);
            return null;
        }
        catch (Exception error)
        {
            return error;
        }
    }

    /// <summary>The next of the group's first members to try (a node added later is found through leader hints).</summary>
    private int NextNode(RaftGroup group)
    {
        _roundRobin = (_roundRobin + 1) % group.Members.Count;
        return group.Members[_roundRobin];
    }

    [LoggerMessage(EventId = 1300, Level = LogLevel.Debug, Message = "gateway: {Request} at node {Node} of group {Group} failed: {Error}")]
    private partial void LogAttemptFailed(string request, string group, int node, string error);
}
