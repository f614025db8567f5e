using RaftOrleans.Kv;
using Xunit;

namespace RaftOrleans.Tests.Integration;

public sealed class KvSemanticsTests : RaftClusterTest
{
    [Fact]
    public async Task Put_get_delete_follow_the_store_semantics_through_the_gateway()
    {
        var client = new Client(Gateway);

        AssertOk(await client.Put("alpha", "1"));
        AssertOk(await client.Get("alpha"), "1");
        Assert.Equal(KvStatus.KeyExists, (await client.Put("alpha", "2")).Status);
        AssertOk(await client.Get("alpha"), "1"); // the refused put changed nothing
        AssertOk(await client.Delete("alpha"));
        Assert.Equal(KvStatus.NotFound, (await client.Get("alpha")).Status);
        Assert.Equal(KvStatus.NotFound, (await client.Delete("alpha")).Status);
    }

    [Fact]
    public async Task Invalid_requests_are_refused_with_a_reason_and_never_reach_the_log()
    {
        var client = new Client(Gateway);
        AssertOk(await client.Put("warm-up", "x"));
        var before = (await WaitForStableLeader()).LastLogIndex;

        var empty = await client.Put("", "v");
        var longKey = await client.Put(new string('k', TestSiloConfigurator.Options.MaxKeyBytes + 1), "v");
        var bigValue = await client.Put("big", new string('v', TestSiloConfigurator.Options.MaxValueBytes + 1));

        Assert.Equal(KvStatus.Invalid, empty.Status);
        Assert.Contains("key must not be empty", empty.Reason);
        Assert.Equal(KvStatus.Invalid, longKey.Status);
        Assert.Contains("max_key_bytes", longKey.Reason);
        Assert.Equal(KvStatus.Invalid, bigValue.Status);
        Assert.Contains("max_value_bytes", bigValue.Reason);
        Assert.Equal(before, (await WaitForStableLeader()).LastLogIndex);
    }

    [Fact]
    public async Task A_batch_is_answered_request_by_request_in_its_order_as_if_each_came_alone()
    {
        var client = Guid.NewGuid();
        var other = Guid.NewGuid();
        var answers = await Gateway.Batch(
        [
            new KvGroupRequest(new KvRequest(client, 1, KvOperation.Put, "batched", "1")),
            new KvGroupRequest(new KvRequest(other, 1, KvOperation.Put, "", "v")),
            new KvGroupRequest(new KvRequest(other, 1, KvOperation.Put, "elsewhere", "v"), "no-such-group"),
            new KvGroupRequest(new KvRequest(other, 1, KvOperation.Put, "batched-too", "2")),
        ]);

        // The requests of a batch run side by side (their order in the log is not the batch's), so these touch
        // different keys; the answers come back in the batch's order.
        Assert.Equal([KvStatus.Ok, KvStatus.Invalid, KvStatus.Invalid, KvStatus.Ok], answers.Select(a => a.Status));
        Assert.Contains("key must not be empty", answers[1].Reason);
        Assert.Contains("no-such-group", answers[2].Reason);

        // A resend in a later batch is answered from the session, not applied again; put keeps its semantics.
        var resent = await Gateway.Batch([new KvGroupRequest(new KvRequest(client, 1, KvOperation.Put, "batched", "1")),
            new KvGroupRequest(new KvRequest(client, 2, KvOperation.Get, "batched")),
            new KvGroupRequest(new KvRequest(other, 2, KvOperation.Put, "batched", "3"))]);
        Assert.Equal(KvStatus.Ok, resent[0].Status);
        AssertOk(resent[1], "1");
        Assert.Equal(KvStatus.KeyExists, resent[2].Status);

        var holes = await Gateway.Batch([null!, new KvGroupRequest(null!)]);
        Assert.All(holes, hole => Assert.Equal(KvStatus.Invalid, hole.Status));
        Assert.Contains("request 2 of the batch is missing", holes[1].Reason);
    }
}
