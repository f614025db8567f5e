namespace RaftOrleans.Client.Connection;

/// <summary>Two routes to the same answer (two gateways in cluster mode): whichever answers first wins.</summary>
internal static class FirstAnswer
{
    /// <summary>The first of two calls to answer; a call that fails counts only when the other fails too (then the first failure is thrown).</summary>
    public static async Task<T> Of<T>(Task<T> first, Task<T> second)
    {
        var done = await Task.WhenAny(first, second);
        if (done.IsCompletedSuccessfully) return done.Result;
        var other = done == first ? second : first;
        try
        {
            return await other;
        }
        catch (Exception)
        {
            return await done;
        }
    }
}
