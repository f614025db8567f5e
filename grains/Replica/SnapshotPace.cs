namespace RaftOrleans.Replica;

/// <summary>
/// The pace at which a node streams its snapshots (raft.toml's <c>storage.snapshot_send_mb_per_s</c>): at most
/// <c>bytesPerSecond</c> on average over all its transfers together, a chunk at a time.
/// <para>
/// Why: a snapshot is read from the leader's engine and written into the follower's on the same cores and disk
/// that serve the writes, and unpaced it took them as fast as it could (issue 10: a 6 M-key transfer cut the
/// leader's throughput by 51–70 %). Paced, a transfer takes longer and the writes keep most of the machine, as
/// TiKV's <c>snap-io-max-bytes-per-sec</c> does. A leaky bucket: each chunk sent moves the time the next may go
/// by its size over the rate, so there is never more than one chunk of burst.
/// </para>
/// </summary>
internal sealed class SnapshotPace
{
    /// <summary>
    /// Share of the snapshot retry interval one paced chunk may take at the full rate. The core starts a transfer
    /// over when no chunk was answered for its retry interval; with a few transfers sharing the rate, each chunk's
    /// wait must stay well inside it.
    /// </summary>
    private const int ChunksPerRetryInterval = 8;

    private readonly long _bytesPerSecond; // 0: unpaced
    private readonly Func<TimeSpan> _clock;
    private TimeSpan _nextAt; // when the next chunk may be sent

    /// <param name="bytesPerSecond">The most bytes per second; 0: unpaced (every chunk goes at once).</param>
    /// <param name="chunkBytes">The chunk size asked for.</param>
    /// <param name="retryInterval">The core's snapshot retry interval (see <see cref="ChunksPerRetryInterval"/>).</param>
    public SnapshotPace(long bytesPerSecond, int chunkBytes, TimeSpan retryInterval, Func<TimeSpan> clock)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytesPerSecond);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkBytes, 1);
        _bytesPerSecond = bytesPerSecond;
        _clock = clock;
        var fitting = bytesPerSecond * retryInterval.TotalSeconds / ChunksPerRetryInterval;
        ChunkBytes = bytesPerSecond == 0 ? chunkBytes : (int)Math.Clamp(fitting, 1, chunkBytes);
    }

    private bool Paced => _bytesPerSecond > 0;

    /// <summary>The size of the chunks to read: the one asked for, smaller if a chunk would take too long at this rate.</summary>
    public int ChunkBytes { get; }

    /// <summary>When the next chunk may be sent (in the past or now: at once).</summary>
    public TimeSpan NextAt => _nextAt;

    public bool MaySendNow => !Paced || _clock() >= _nextAt;

    /// <summary>A chunk of <paramref name="bytes"/> was sent now: the next waits for its time at the rate.</summary>
    public void Sent(int bytes)
    {
        if (!Paced) return;
        var now = _clock();
        var time = TimeSpan.FromSeconds((double)bytes / _bytesPerSecond);
        // Sent a little late (a timer fires late by up to a tick): the schedule holds, so timer lateness does not
        // lower the rate. Sent a chunk's time or more after its time (the sender was idle): the schedule starts
        // again from now, so a pause earns no burst afterwards.
        _nextAt = (now - _nextAt < time ? _nextAt : now) + time;
    }
}
