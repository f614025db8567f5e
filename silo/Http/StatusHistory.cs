using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;

namespace RaftOrleans.Silo.Http;

/// <summary>
/// The last five minutes of each group a status page watches, one sample a second, for its charts (GET /api/history):
/// the leader's commit index (its slope is the write throughput) and its mean commit latency over that second.
/// The first group is always sampled; another from the moment a page asks for it, until no page has asked for five
/// minutes: a silo of many groups does not poll them all every second for charts nobody looks at.
/// </summary>
internal sealed class StatusHistory(ClusterViewReader reader, IHostApplicationLifetime lifetime) : BackgroundService
{
    private const int Kept = 300;
    private static readonly TimeSpan Watched = TimeSpan.FromMinutes(5);
    private readonly ConcurrentDictionary<string, GroupSamples> _groups = new(StringComparer.Ordinal);

    /// <summary>One second of a group: when (Unix ms), who led in which term, its commit index and commit latency.</summary>
    public sealed record Sample(long At, int? Leader, long? Term, long? CommitIndex, double? CommitLatencyMs);

    /// <summary>The samples of <paramref name="group"/> (a group raft.toml declares); asking keeps it sampled.</summary>
    public IReadOnlyList<Sample> Samples(string group)
    {
        var samples = _groups.GetOrAdd(group, _ => new GroupSamples());
        samples.LastAsked = Environment.TickCount64;
        return samples.ToArray();
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
        _groups.GetOrAdd(reader.DefaultGroup, _ => new GroupSamples());
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        while (await Tick(timer, stopping))
        {
            var now = Environment.TickCount64;
            var watched = _groups.Where(g => g.Key == reader.DefaultGroup || now - g.Value.LastAsked < Watched.TotalMilliseconds).ToArray();
            foreach (var (group, _) in _groups.Where(g => !watched.Contains(g))) _groups.TryRemove(group, out _);
            await Task.WhenAll(watched.Select(g => SampleAsync(g.Key, g.Value, stopping)));
        }
    }

    private async Task SampleAsync(string group, GroupSamples samples, CancellationToken stopping)
    {
        Sample sample;
        try
        {
            var view = await reader.ReadAsync(group);
            var leader = view.Nodes.FirstOrDefault(n => n.Id == view.Leader)?.Status;
            sample = new Sample(view.TakenAt.ToUnixTimeMilliseconds(), view.Leader, view.Term, leader?.CommitIndex, leader?.CommitLatencyMs);
        }
        catch (Exception) when (!stopping.IsCancellationRequested)
        {
            // The silo is starting or stopping (no grain calls yet, or no more): a gap in the chart, nothing else.
            sample = new Sample(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), null, null, null, null);
        }
        samples.Add(sample);
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

    private sealed class GroupSamples
    {
        private readonly Queue<Sample> _samples = new();
        private readonly Lock _lock = new();

        public long LastAsked { get; set; } = Environment.TickCount64;

        public void Add(Sample sample)
        {
            lock (_lock)
            {
                _samples.Enqueue(sample);
                while (_samples.Count > Kept) _samples.Dequeue();
            }
        }

        public Sample[] ToArray()
        {
            lock (_lock) return _samples.ToArray();
        }
    }
}
