using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using RaftOrleans.Kv;
using RaftOrleans.Groups;
using RaftOrleans.Status;
using Xunit;

namespace RaftOrleans.Tests.Integration;

/// <summary>
/// Base of the integration tests: a fresh one-silo TestCluster per test, and waits on conditions (never
/// fixed sleeps) with deadlines generous enough for a loaded two-core machine.
/// </summary>
[Collection(IntegrationCollection.Name)]
public abstract class RaftClusterTest : IAsyncLifetime
{
    protected static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    protected TestCluster Cluster { get; private set; } = null!;

    protected IKvGatewayGrain Gateway => Cluster.GrainFactory.GetGrain<IKvGatewayGrain>(0);

    protected virtual IReadOnlyList<int> NodeIds => TestSiloConfigurator.Options.NodeIds;

    /// <summary>The group the tests' nodes belong to: the one group of a raft.toml without [groups].</summary>
    protected virtual string Group => TestSiloConfigurator.Options.Groups.All[0].Name;

    /// <summary>
    /// Node <paramref name="id"/> as the cluster itself reaches it: through a running silo's own grain factory, because
    /// the silos refuse a client's calls to node grains (SecurityTests shows the client's way in).
    /// </summary>
    protected IRaftNodeGrain Node(int id, string? group = null) => InsideGrains.RaftNode(group ?? Group, id);

    /// <summary>The grain factory of a running silo: its calls come from inside the cluster.</summary>
    protected IGrainFactory InsideGrains =>
        Cluster.Silos.OfType<InProcessSiloHandle>().First(silo => silo.IsActive).SiloHost.Services.GetRequiredService<IGrainFactory>();

    public virtual Task InitializeAsync() => StartCluster<TestSiloConfigurator>();

    public virtual async Task DisposeAsync() => await Cluster.DisposeAsync();

    /// <summary>Deploys a cluster of <paramref name="silos"/> silos (default one) configured by <typeparamref name="TConfigurator"/>.</summary>
    protected async Task StartCluster<TConfigurator>(short silos = 1) where TConfigurator : ISiloConfigurator, new()
    {
        var builder = new TestClusterBuilder(silos);
        builder.AddSiloBuilderConfigurator<TConfigurator>();
        if (new TConfigurator() is IClientBuilderConfigurator) builder.AddClientBuilderConfigurator<ClientOf<TConfigurator>>();
        Configure(builder);
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    /// <summary>Anything else a test class needs of its TestCluster (the transport: in memory unless it says otherwise).</summary>
    protected virtual void Configure(TestClusterBuilder builder)
    {
    }

    /// <summary>A silo configurator that also configures the test's client (TLS: the client's certificate) does both.</summary>
    private sealed class ClientOf<TConfigurator> : IClientBuilderConfigurator where TConfigurator : ISiloConfigurator, new()
    {
        public void Configure(IConfiguration configuration, IClientBuilder clientBuilder) =>
            ((IClientBuilderConfigurator)new TConfigurator()).Configure(configuration, clientBuilder);
    }

    /// <summary>
    /// The status of every node that answers. A node whose silo is down (cluster mode) is left out, as a crashed
    /// node is left out of "live": the placement refuses it until its silo is back.
    /// </summary>
    /// <param name="group">A group other than <see cref="Group"/>, with its nodes.</param>
    protected async Task<NodeStatus[]> StatusAll(RaftGroup? group = null)
    {
        var answers = await Task.WhenAll((group?.Members ?? NodeIds).Select(async id =>
        {
            try
            {
                return await Node(id, group?.Name).GetStatus();
            }
            catch (RaftNodeUnavailableException)
            {
                return null;
            }
        }));
        return answers.OfType<NodeStatus>().ToArray();
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; fails naming <paramref name="what"/> if it never does.</summary>
    protected static async Task<T> WaitFor<T>(Func<Task<T?>> condition, string what, TimeSpan? deadline = null)
        where T : class
    {
        var clock = Stopwatch.StartNew();
        var limit = deadline ?? Generous;
        while (true)
        {
            if (await condition() is { } value) return value;
            if (clock.Elapsed > limit) throw new TimeoutException($"gave up after {limit.TotalSeconds:F0} s waiting for {what}");
            await Task.Delay(20);
        }
    }

    /// <summary>The one live leader of the highest term, once all live nodes agree on it.</summary>
    protected Task<NodeStatus> WaitForStableLeader(string what = "a leader followed by every live node", RaftGroup? group = null) =>
        WaitForLeader(what, group, wholeLogCommitted: false);

    /// <summary>
    /// A stable leader that has also committed its whole log, its own term's no-op included: the leader to ask for a
    /// membership change. A leader refuses one until it has committed an entry of its term (the rule that keeps
    /// one-at-a-time changes safe), so one elected a moment before would answer "try again in a moment".
    /// </summary>
    protected Task<NodeStatus> WaitForLeaderThatMayChange() =>
        WaitForLeader("a leader followed by every live node, with its whole log committed", group: null, wholeLogCommitted: true);

    private Task<NodeStatus> WaitForLeader(string what, RaftGroup? group, bool wholeLogCommitted) =>
        WaitFor(async () =>
        {
            var live = (await StatusAll(group)).Where(s => !s.Crashed).ToArray();
            var leaders = live.Where(s => s.Role == "Leader").ToArray();
            if (leaders.Length != 1) return null;
            var leader = leaders[0];
            var followed = live.All(s => s.Term == leader.Term && s.LeaderId == leader.NodeId);
            return followed && (!wholeLogCommitted || leader.CommitIndex >= leader.LastLogIndex) ? leader : null;
        }, what);

    /// <summary>Waits until every live node has applied the same index and holds the same state.</summary>
    protected async Task<NodeStatus[]> WaitForConvergence(long atLeast)
    {
        NodeStatus[] live = [];
        try
        {
            return await WaitFor(async () =>
            {
                live = (await StatusAll()).Where(s => !s.Crashed).ToArray();
                var first = live[0];
                var same = first.LastApplied >= atLeast
                    && live.All(s => s.LastApplied == first.LastApplied && s.StateDigest == first.StateDigest);
                return same ? live : null;
            }, $"every live node to apply the same state up to at least index {atLeast}");
        }
        catch (TimeoutException timeout)
        {
            var nodes = string.Join("; ", live.Select(s =>
                $"node {s.NodeId} {s.Role} term {s.Term} log {s.LastLogIndex} snapshot {s.SnapshotIndex} commit {s.CommitIndex} applied {s.LastApplied} keys {s.KeyCount} digest {s.StateDigest}"));
            throw new TimeoutException($"{timeout.Message}; last seen: {nodes}", timeout);
        }
    }

    protected static void AssertOk(KvResult result, string? value = null)
    {
        Assert.True(result.Status == KvStatus.Ok, $"expected Ok, got {result}");
        if (value is not null) Assert.Equal(value, result.Value);
    }

    /// <summary>
    /// A logical client: one id, sequence numbers 1, 2, 3... (a new number per new request). Like the client
    /// console, it resends a request that came back Unavailable with the same sequence number (safe: applied
    /// at most once) until a generous deadline, so an election on a loaded machine does not fail a test that
    /// is about something else. <see cref="PutOnce"/> sends exactly once, for tests about Unavailable itself.
    /// </summary>
    /// <param name="group">The group every request names; null: each key's own group (give a client one group's keys only, its sequence is that group's).</param>
    protected sealed class Client(IKvGatewayGrain gateway, string? group = null)
    {
        public Guid Id { get; } = Guid.NewGuid();
        public long Sequence { get; private set; }

        public Task<KvResult> Put(string key, string value) => Resend(seq => gateway.Put(Id, seq, key, value, group));
        public Task<KvResult> Get(string key) => Resend(seq => gateway.Get(Id, seq, key, group), numbered: false);
        public Task<KvResult> Delete(string key) => Resend(seq => gateway.Delete(Id, seq, key, group));
        public Task<KvResult> PutOnce(string key, string value) => gateway.Put(Id, ++Sequence, key, value, group);

        /// <param name="numbered">Writes take the next sequence number; a get, which never enters the log, carries it without taking it.</param>
        private async Task<KvResult> Resend(Func<long, Task<KvResult>> send, bool numbered = true)
        {
            var sequence = numbered ? ++Sequence : Sequence + 1;
            var clock = Stopwatch.StartNew();
            while (true)
            {
                var result = await send(sequence);
                if (result.Status != KvStatus.Unavailable || clock.Elapsed > Generous) return result;
            }
        }
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class IntegrationCollection
{
    // One silo cluster at a time, and alone: beside the CPU-heavy simulation on two cores, its nodes would
    // miss heartbeats and hold elections the tests are not about.
    public const string Name = "Orleans integration";
}
