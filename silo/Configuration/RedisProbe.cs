using StackExchange.Redis;

namespace RaftOrleans.Configuration;

/// <summary>
/// Whether cluster mode's Redis (cluster.redis) answers, asked before Orleans is started: Orleans itself would
/// retry for a long time and then fail with a stack trace. Shared by the silo and the client console.
/// </summary>
public static class RedisProbe
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(3);

    /// <summary>Null when Redis answers a PING at cluster.redis; otherwise why not, in one line, with what to do.</summary>
    public static async Task<string?> ProblemAsync(ClusterSettings cluster)
    {
        try
        {
            var options = ConfigurationOptions.Parse(cluster.Redis);
            options.ConnectTimeout = (int)ConnectTimeout.TotalMilliseconds;
            options.AbortOnConnectFail = true;
            options.ConnectRetry = 1;
            await using var redis = await ConnectionMultiplexer.ConnectAsync(options);
            await redis.GetDatabase().PingAsync();
            return null;
        }
        catch (Exception error) when (error is RedisException or ArgumentException or TimeoutException)
        {
            // StackExchange.Redis's first sentence says it; the rest is advice about its own options.
            var reason = error.Message.Split('\n')[0].Split(". ")[0].Trim().TrimEnd('.');
            return $"Redis at {cluster.Redis} (cluster.redis) is not reachable ({reason}); start it " +
                   "(scripts/cluster.sh start does) or point cluster.redis at a running one";
        }
    }
}
