using RaftOrleans.Kv;
using Xunit;

namespace RaftOrleans.Tests.Integration;

public sealed class ExactlyOnceTests : RaftClusterTest
{
    [Fact]
    public async Task A_retried_request_with_the_same_id_is_applied_once()
    {
        var clientId = Guid.NewGuid();
        AssertOk(await Gateway.Put(clientId, 1, "once", "v1"));

        // The retry of a put that succeeded answers Ok (its recorded answer), not KeyExists.
        AssertOk(await Gateway.Put(clientId, 1, "once", "v1"));

        // Someone else deletes the key; a late retry of the old put must not bring it back.
        AssertOk(await new Client(Gateway).Delete("once"));
        AssertOk(await Gateway.Put(clientId, 1, "once", "v1"));
        Assert.Equal(KvStatus.NotFound, (await new Client(Gateway).Get("once")).Status);

        // The client's next request (a new sequence number) is applied normally.
        AssertOk(await Gateway.Put(clientId, 2, "once", "v2"));
        AssertOk(await new Client(Gateway).Get("once"), "v2");
    }
}
