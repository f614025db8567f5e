using Xunit;

namespace RaftOrleans.Tests.Kv;

/// <summary>
/// The silo's leader cache, as the gateway waits on it: news of another leader wakes a waiting attempt at once, and
/// nothing else does (the same leader said again by every answered request, a failed node forgotten, another group).
/// </summary>
public sealed class LeaderCacheTests
{
    [Fact]
    public void NewsOfAnotherLeaderCompletesTheWaitAndTheNewLeaderIsReadable()
    {
        var cache = new LeaderCache();
        cache.Reached("g", 1);
        var news = cache.NextLeader("g");

        cache.Reached("g", 1); // the same leader again: no news
        cache.Failed("g", 1); // forgotten: no leader known is no news either
        cache.Reached("h", 2); // another group's
        Assert.False(news.IsCompleted);

        cache.Reached("g", 3);
        Assert.True(news.IsCompleted);
        Assert.Equal(3, cache.Leader("g"));
        Assert.False(cache.NextLeader("g").IsCompleted); // the next wait is for the next news
    }

    [Fact]
    public void TheFirstLeaderOfAGroupIsNews()
    {
        var cache = new LeaderCache();
        var news = cache.NextLeader("g");
        Assert.Null(cache.Leader("g"));

        cache.Reached("g", 2);

        Assert.True(news.IsCompleted);
    }

    [Fact]
    public void ALeaderLearnedAgainAfterItWasForgottenIsNews()
    {
        var cache = new LeaderCache();
        cache.Reached("g", 2);
        cache.Failed("g", 2);
        var news = cache.NextLeader("g");

        cache.Reached("g", 2); // re-elected, or the gateway was wrong to give up on it

        Assert.True(news.IsCompleted);
    }
}
