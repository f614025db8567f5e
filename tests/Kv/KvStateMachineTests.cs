using RaftOrleans.Kv;
using Xunit;

namespace RaftOrleans.Tests.Kv;

/// <summary>The KV semantics: put-if-absent, get, delete-if-present.</summary>
public class KvStateMachineTests
{
    private static readonly Guid Client = Guid.Parse("6f1c2a3b-0000-4000-8000-000000000001");
    private long _sequence;

    private KvRequest Put(string key, string? value) => new(Client, ++_sequence, KvOperation.Put, key, value);
    private KvRequest Get(string key) => new(Client, ++_sequence, KvOperation.Get, key);
    private KvRequest Delete(string key) => new(Client, ++_sequence, KvOperation.Delete, key);

    [Fact]
    public void PutStoresAValueUnderANewKey()
    {
        var kv = KvTestExtensions.NewInMemory();

        Assert.Equal(KvResult.Ok, kv.Apply(Put("a", "1")));

        Assert.Equal(KvResult.Found("1"), kv.Read("a"));
        Assert.Equal(1, kv.Count);
    }

    [Fact]
    public void PutOnAnExistingKeyFailsWithKeyExistsAndKeepsTheOldValue()
    {
        var kv = KvTestExtensions.NewInMemory();
        kv.Apply(Put("a", "1"));

        Assert.Equal(KvResult.KeyExists, kv.Apply(Put("a", "2")));

        Assert.Equal("1", kv.Data()["a"]);
    }

    [Fact]
    public void GetReturnsTheValueOrNotFound()
    {
        var kv = KvTestExtensions.NewInMemory();
        kv.Apply(Put("a", "1"));

        Assert.Equal(KvResult.Found("1"), kv.Apply(Get("a")));
        Assert.Equal(KvResult.NotFound, kv.Apply(Get("b")));
    }

    [Fact]
    public void DeleteRemovesAnExistingKeyAndFailsWithNotFoundOnAMissingOne()
    {
        var kv = KvTestExtensions.NewInMemory();
        kv.Apply(Put("a", "1"));

        Assert.Equal(KvResult.Ok, kv.Apply(Delete("a")));
        Assert.Equal(KvResult.NotFound, kv.Apply(Delete("a")));
        Assert.Equal(KvResult.NotFound, kv.Apply(Get("a")));
        Assert.Equal(0, kv.Count);
    }

    [Fact]
    public void AKeyCanBePutAgainAfterItWasDeleted()
    {
        var kv = KvTestExtensions.NewInMemory();
        kv.Apply(Put("a", "1"));
        kv.Apply(Delete("a"));

        Assert.Equal(KvResult.Ok, kv.Apply(Put("a", "2")));
        Assert.Equal(KvResult.Found("2"), kv.Read("a"));
    }

    [Fact]
    public void KeysAreCaseSensitiveAndValuesMayBeEmpty()
    {
        var kv = KvTestExtensions.NewInMemory();

        Assert.Equal(KvResult.Ok, kv.Apply(Put("Key", "")));
        Assert.Equal(KvResult.Ok, kv.Apply(Put("key", "x")));

        Assert.Equal(KvResult.Found(""), kv.Apply(Get("Key")));
        Assert.Equal(KvResult.Found("x"), kv.Apply(Get("key")));
    }

    [Fact]
    public void TwoReplicasFedTheSameCommandsEndInTheSameState()
    {
        var commands = new[]
        {
            Put("a", "1"), Put("b", "2"), Put("a", "3"), Delete("b"), Get("a"), Put("b", "4"), Delete("c"),
        };
        var one = KvTestExtensions.NewInMemory();
        var two = KvTestExtensions.NewInMemory();

        var results = commands.Select(one.Apply).ToArray();

        Assert.Equal(results, commands.Select(two.Apply).ToArray());
        Assert.Equal(one.Data().OrderBy(p => p.Key), two.Data().OrderBy(p => p.Key));
        Assert.Equal(new Dictionary<string, string> { ["a"] = "1", ["b"] = "4" }, one.Data());
    }
}
