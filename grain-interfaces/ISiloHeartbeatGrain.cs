using Orleans.Concurrency;

namespace RaftOrleans;

/// <summary>
/// "The leader of <paramref name="Group"/> in <paramref name="Term"/>, node <paramref name="Leader"/>, is quiesced and
/// alive": one entry of a silo's heartbeat for its quiesced leaders (see <c>SiloHeartbeats</c>).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record LeaderBeat([property: Id(0)] string Group, [property: Id(1)] int Leader, [property: Id(2)] long Term);

/// <summary>
/// The receiving end of silo heartbeats in cluster mode, keyed by node id: it lives on node N's silo, as node N's
/// replicas do. Silo to silo only: clients are refused it (the gateway's call filter).
/// </summary>
public interface ISiloHeartbeatGrain : IGrainWithIntegerKey
{
    /// <summary>One heartbeat from another silo for all of its quiesced leaders whose followers include this grain's node. No answer.</summary>
    [OneWay]
    Task Beat(LeaderBeat[] beats);
}
