using Microsoft.Extensions.Hosting;

namespace RaftOrleans.Silo.Http;

/// <summary>
/// The last five minutes of the cluster, one sample a second, for the status page's charts (GET /api/history): the
/// leader's commit index (its slope is the write throughput) and its mean commit latency over that second.
/// </summary>
internal sealed class StatusHistory(ClusterViewReader reader, IHostApplicationLifetime lifetime) : BackgroundService
{
    private const int Kept = 300;
    private readonly Queue<Sample> _samples = new();
    private readonly Lock _lock = new();

    /// <summary>One second of the cluster: when (Unix ms), who led in which term, its commit index and commit latency.</summary>
    public sealed record Sample(long At, int? Leader, long? Term, long? CommitIndex, double? CommitLatencyMs);

    public IReadOnlyList<Sample> Samples
    {
        get { lock (_lock) return _samples.ToArray(); }
    }

    protected override async Task ExecuteAsync(CancellationToken stopped)
    {
        // Sampling asks the nodes (grain calls): only once the silo has started, and no more once it begins to stop.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var whenStarted = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        using var running = CancellationTokenSource.CreateLinkedTokenSource(stopped, lifetime.ApplicationStopping);
        var stopping = running.Token;
        try
        {
            await started.Task.WaitAsync(stopping);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        while (await Tick(timer, stopping))
        {
            Sample sample;
            try
            {
                var view = await reader.ReadAsync();
                var leader = view.Nodes.FirstOrDefault(n => n.Id == view.Leader)?.Status;
                sample = new Sample(view.TakenAt.ToUnixTimeMilliseconds(), view.Leader, view.Term, leader?.CommitIndex, leader?.CommitLatencyMs);
            }
            catch (Exception) when (!stopping.IsCancellationRequested)
            {
                // The silo is starting or stopping (no grain calls yet, or no more): a gap in the chart, nothing else.
                sample = new Sample(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), null, null, null, null);
            }
            lock (_lock)
            {
                _samples.Enqueue(sample);
                while (_samples.Count > Kept) _samples.Dequeue();
            }
        }
    }

    private static async Task<bool> Tick(PeriodicTimer timer, CancellationToken stopping)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stopping);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
