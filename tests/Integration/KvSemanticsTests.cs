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
}
