using Microsoft.Extensions.Logging;
using RaftOrleans.Replica;

namespace RaftOrleans;

/// <summary>
/// The silo's one <see cref="SiloHeartbeats"/> (one per silo, like <see cref="SiloClock"/>): a timer beats it every
/// heartbeat interval, beats for nodes of this silo are delivered in place (embedded mode: all of them), and those for
/// another silo go to its <see cref="SiloHeartbeatGrain"/> as one one-way call.
/// </summary>
public sealed partial class SiloHeartbeatHost : IDisposable
{
    private readonly Timer _timer;
    private readonly IGrainFactory _grains;
    private readonly ILogger<SiloHeartbeatHost> _logger;

    public SiloHeartbeatHost(RaftClusterOptions cluster, SiloClock clock, IGrainFactory grains, ILogger<SiloHeartbeatHost> logger)
    {
        _grains = grains;
        _logger = logger;
        Heartbeats = new SiloHeartbeats(cluster.ElectionTimeoutMin, () => clock.Now, cluster.Hosts, Send);
        // While every replica here is quiesced, no Raft timer runs on this silo: its clock may beat as slowly as this.
        clock.RelaxWhile(() => Heartbeats.AllQuiesced);
        // A thread-pool timer, as the silo clock's and for the same reason: a starved pool delays the beat and the
        // replicas alike. SuppressFlow: the grain that first needs this must not lend its context to the timer.
        using (ExecutionContext.SuppressFlow())
        {
            _timer = new Timer(_ => Beat(), null, cluster.HeartbeatInterval, cluster.HeartbeatInterval);
        }
    }

    public SiloHeartbeats Heartbeats { get; }

    private void Beat()
    {
        try
        {
            Heartbeats.Beat();
        }
        catch (Exception error)
        {
            LogBeatFailed(error); // a timer's exception would end the process; the next beat tries again
        }
    }

    private void Send(int node, QuiescedBeat[] beats)
    {
        // One-way: nothing comes back, and a lost beat is what a dead silo looks like, which is the point.
        _grains.GetGrain<ISiloHeartbeatGrain>(node).Beat(beats).ContinueWith(
            static (call, state) => ((SiloHeartbeatHost)state!).LogSendFailed(call.Exception!.GetBaseException().Message),
            this, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }

    public void Dispose() => _timer.Dispose();

    [LoggerMessage(EventId = 1106, Level = LogLevel.Warning, Message = "the silo heartbeat of quiesced groups failed; it runs again next interval")]
    private partial void LogBeatFailed(Exception error);

    [LoggerMessage(EventId = 1107, Level = LogLevel.Debug, Message = "a silo heartbeat could not be sent: {Reason}")]
    private partial void LogSendFailed(string reason);
}
