using System.Collections.Concurrent;
using Orleans.TestingHost;
using RaftOrleans.Kv;
using RaftOrleans.Raft;
using RaftOrleans.Silo;
using RaftOrleans.Storage;
using Xunit;

namespace RaftOrleans.Tests.Integration;

/// <summary>
/// A client's batch reaches its group's leader as one call and leaves it as one append: the gateway hands a group's
/// share of a batch to the leader together, and the leader holds each request of it for the rest rather than send the
/// first one alone (with one append in flight at a time, the rest would wait for that one's round trip).
/// </summary>
public sealed class BatchSubmitTests : RaftClusterTest
{
    public override Task InitializeAsync() => StartCluster<AppendRecordingSiloConfigurator>();

    [Fact]
    public async Task A_batch_for_one_group_goes_to_the_followers_in_one_append()
    {
        var leader = await WaitForStableLeader();
        var warmUp = await Gateway.Put(Guid.NewGuid(), 1, "warm-up", "x"); // the leader's first entries are behind it
        AssertOk(warmUp);
        await WaitForConvergence(leader.LastLogIndex + 1);
        AppendRecordingSiloConfigurator.Appends.Clear();

        var keys = Enumerable.Range(1, 8).Select(n => $"together-{n}").ToArray();
        var answers = await Gateway.Batch(keys.Select(key => new KvGroupRequest(new KvRequest(Guid.NewGuid(), 1, KvOperation.Put, key, "v"))).ToArray());

        Assert.All(answers, answer => Assert.Equal(KvStatus.Ok, answer.Status));
        // Every follower got the eight puts in one AppendEntries (none of them went out on its own first).
        var carried = AppendRecordingSiloConfigurator.Appends.ToArray()
            .Select(append => append.Entries.Where(e => !e.IsNoOp && !e.IsConfig).Select(e => KvCommandCodec.Decode(e.Data).Request.Key).ToHashSet())
            .Where(puts => puts.Count > 0)
            .ToArray();
        Assert.NotEmpty(carried);
        Assert.All(carried, puts => Assert.Equal(keys.ToHashSet(), puts));
    }

    /// <summary>The default test silo, and a record of every AppendEntries its nodes receive.</summary>
    public sealed class AppendRecordingSiloConfigurator : ISiloConfigurator
    {
        public static readonly ConcurrentQueue<AppendEntries> Appends = new();

        public void Configure(ISiloBuilder siloBuilder) =>
            siloBuilder.AddRaftKeyValueStore(TestSiloConfigurator.Options, new InMemoryRaftStorageProvider())
                .AddIncomingGrainCallFilter(context =>
                {
                    if (context.Request.GetArgumentCount() == 1 && context.Request.GetArgument(0) is AppendEntries append) Appends.Enqueue(append);
                    return context.Invoke();
                });
    }
}
