using RaftOrleans.Kv;
using Xunit;

namespace RaftOrleans.Tests.Kv;

/// <summary>
/// Exactly-once: a request retried with the same (client id, sequence) is answered from the client's session
/// record and never applied twice; a request older than the client's latest never takes effect.
/// </summary>
public class DuplicateSuppressionTests
{
    private static readonly Guid Alice = Guid.Parse("a11ce000-0000-4000-8000-000000000001");
    private static readonly Guid Bob = Guid.Parse("b0b00000-0000-4000-8000-000000000002");

    [Fact]
    public void RetriedPutThatSucceededAnswersOkNotKeyExists()
    {
        var kv = KvTestExtensions.NewInMemory();
        var put = new KvRequest(Alice, 1, KvOperation.Put, "k", "v");
        Assert.Equal(KvResult.Ok, kv.Apply(put));

        var retry = kv.Apply(put with { });

        Assert.Equal(KvResult.Ok, retry);
        Assert.Equal(1, kv.DuplicatesSuppressed);
        Assert.Equal("v", kv.Data()["k"]);
    }

    [Fact]
    public void RetriedDeleteThatSucceededAnswersOkNotNotFound()
    {
        var kv = KvTestExtensions.NewInMemory();
        kv.Apply(new KvRequest(Alice, 1, KvOperation.Put, "k", "v"));
        var delete = new KvRequest(Alice, 2, KvOperation.Delete, "k");
        Assert.Equal(KvResult.Ok, kv.Apply(delete));

        Assert.Equal(KvResult.Ok, kv.Apply(delete));
        Assert.Equal(1, kv.DuplicatesSuppressed);
    }

    [Fact]
    public void RetryIsAnsweredFromTheRecordEvenIfTheStateChangedSince()
    {
        // The retry of a put that lost (KeyExists) keeps its answer even after another client deleted the key:
        // applying it again would now succeed and store a value the client was told was refused.
        var kv = KvTestExtensions.NewInMemory();
        kv.Apply(new KvRequest(Bob, 1, KvOperation.Put, "k", "bob"));
        var put = new KvRequest(Alice, 1, KvOperation.Put, "k", "alice");
        Assert.Equal(KvResult.KeyExists, kv.Apply(put));
        kv.Apply(new KvRequest(Bob, 2, KvOperation.Delete, "k"));

        Assert.Equal(KvResult.KeyExists, kv.Apply(put));
        Assert.False(kv.Data().ContainsKey("k"));
    }

    [Fact]
    public void RetriedGetReturnsTheValueItFirstRead()
    {
        var kv = KvTestExtensions.NewInMemory();
        kv.Apply(new KvRequest(Bob, 1, KvOperation.Put, "k", "old"));
        var get = new KvRequest(Alice, 1, KvOperation.Get, "k");
        Assert.Equal(KvResult.Found("old"), kv.Apply(get));
        kv.Apply(new KvRequest(Bob, 2, KvOperation.Delete, "k"));

        Assert.Equal(KvResult.Found("old"), kv.Apply(get));
    }

    [Fact]
    public void OlderSequenceIsNotApplied()
    {
        var kv = KvTestExtensions.NewInMemory();
        var put = new KvRequest(Alice, 1, KvOperation.Put, "k", "v");
        kv.Apply(put);
        kv.Apply(new KvRequest(Alice, 2, KvOperation.Delete, "k"));

        var late = kv.Apply(put); // a delayed copy of request 1 commits after request 2

        Assert.False(late.IsDefinitive);
        Assert.Equal(KvStatus.Invalid, late.Status);
        Assert.False(kv.Data().ContainsKey("k"));
        Assert.Equal(1, kv.DuplicatesSuppressed);
    }

    [Fact]
    public void NextSequenceIsAppliedNormally()
    {
        var kv = KvTestExtensions.NewInMemory();
        kv.Apply(new KvRequest(Alice, 1, KvOperation.Put, "k", "v"));

        Assert.Equal(KvResult.KeyExists, kv.Apply(new KvRequest(Alice, 2, KvOperation.Put, "k", "w")));
        Assert.Equal(0, kv.DuplicatesSuppressed);
    }

    [Fact]
    public void SessionsAreKeptPerClient()
    {
        var kv = KvTestExtensions.NewInMemory();
        kv.Apply(new KvRequest(Alice, 1, KvOperation.Put, "a", "1"));

        // Same sequence number, other client: a new request, applied.
        Assert.Equal(KvResult.Ok, kv.Apply(new KvRequest(Bob, 1, KvOperation.Put, "b", "2")));
        Assert.Equal(0, kv.DuplicatesSuppressed);
        Assert.Equal(2, kv.Count);
    }
}
