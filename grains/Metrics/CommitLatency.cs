namespace RaftOrleans.Metrics;

/// <summary>
/// The mean commit latency of one node's writes over the last whole second, for its status (the status page's
/// latency chart); the histogram in <see cref="RaftMetrics"/> is the full picture. Used on the node grain's turns only.
/// </summary>
internal sealed class CommitLatency
{
    private double _sumMs;
    private long _count;

    /// <summary>The mean of the last whole second, or null if no write was answered in it.</summary>
    public double? LastSecondMs { get; private set; }

    public void Add(TimeSpan took)
    {
        _sumMs += took.TotalMilliseconds;
        _count++;
    }

    public void EndSecond()
    {
        LastSecondMs = _count == 0 ? null : _sumMs / _count;
        (_sumMs, _count) = (0, 0);
    }
}
