using RaftOrleans.Kv;
using Xunit;

namespace RaftOrleans.Tests.Kv;

/// <summary>
/// The state digest `client status` shows and the tests compare across nodes: equal maps must give equal
/// digests whatever the order of the writes, and different maps different ones.
/// </summary>
public class KvStateDigestTests
{

    // Each write is the first of a session of its own: the maps here are built by different state machines, in
    // different orders, and a session's later writes are refused where it has no session.
    private static KvRequest Put(string key, string value) => new(Guid.NewGuid(), 1, KvOperation.Put, key, value);
    private static KvRequest Delete(string key) => new(Guid.NewGuid(), 1, KvOperation.Delete, key);

    [Fact]
    public void EqualMapsBuiltInDifferentOrdersHaveEqualDigests()
    {
        var first = KvTestExtensions.NewInMemory();
        var second = KvTestExtensions.NewInMemory();
        foreach (var i in Enumerable.Range(0, 100)) first.Apply(Put($"key-{i}", $"value-{i}"));
        foreach (var i in Enumerable.Range(0, 100).Reverse()) second.Apply(Put($"key-{i}", $"value-{i}"));

        Assert.Equal(first.Digest, second.Digest);
        Assert.NotEqual(0UL, first.Digest);
    }

    [Fact]
    public void ADifferentValueOrAMissingKeyChangesTheDigest()
    {
        var kv = KvTestExtensions.NewInMemory();
        kv.Apply(Put("a", "1"));
        kv.Apply(Put("b", "2"));
        var other = KvTestExtensions.NewInMemory();
        other.Apply(Put("a", "1"));
        other.Apply(Put("b", "3"));

        Assert.NotEqual(kv.Digest, other.Digest);
        other.Apply(Delete("b"));
        Assert.NotEqual(kv.Digest, other.Digest);
        // Key and value are kept apart: ("ab", "") is not ("a", "b").
        Assert.NotEqual(KvStateDigest.Of("ab", ""), KvStateDigest.Of("a", "b"));
    }

    [Fact]
    public void DeletingWhatWasPutRestoresTheDigestAndRefusedWritesLeaveItAlone()
    {
        var kv = KvTestExtensions.NewInMemory();
        kv.Apply(Put("kept", "x"));
        var before = kv.Digest;

        kv.Apply(Put("temporary", "y"));
        kv.Apply(Put("kept", "other value")); // refused: the key exists
        kv.Apply(Delete("temporary"));
        kv.Apply(Delete("never-there")); // refused: not found

        Assert.Equal(before, kv.Digest);
    }
}
