using RaftOrleans.KeyValue.Sessions;
using RaftOrleans.Client.Connection;

namespace RaftOrleans.Client.Commands;

/// <summary>
/// Reads the cluster's status in the background while a run goes on and keeps every distinct
/// (term, leader) it sees, in order. A leader that comes and goes between two looks is missed, so the
/// count is a lower bound; at 50 ms against elections of 150 ms and more, that is unlikely.
/// </summary>
internal sealed class LeaderWatcher : IAsyncDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    private readonly CommandContext _context;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<(long Term, int Leader)> _seen = [];
    private readonly Task _loop;

    public LeaderWatcher(CommandContext context)
    {
        _context = context;
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>Stops watching and returns the leaders seen, oldest first.</summary>
    public async Task<IReadOnlyList<(long Term, int Leader)>> StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        lock (_seen)
        {
            return _seen.ToArray();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                if ((await _context.ReadStatusAsync()).Leader is { } leader)
                {
                    Remember(leader.Term, leader.NodeId);
                }
                await Task.Delay(Interval, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception error) when (ConnectionErrors.IsLostConnection(error))
            {
                return; // the run itself hits the same loss and reports it
            }
        }
    }

    private void Remember(long term, int leader)
    {
        lock (_seen)
        {
            // Terms only grow; an older pair can show up only from a node that has not heard the news yet.
            if (_seen.Count == 0 || term > _seen[^1].Term)
            {
                _seen.Add((term, leader));
            }
        }
    }
}
