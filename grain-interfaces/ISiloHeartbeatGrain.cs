using Orleans.Concurrency;

namespace RaftOrleans;

/// <summary>
/// "Node <paramref name="From"/> of <paramref name="Group"/>, quiesced in <paramref name="Term"/>, is alive": one entry
/// of a silo's heartbeat for its quiesced replicas (see <c>SiloHeartbeats</c>). A quiesced leader's beat goes to its
/// followers' silos, a quiesced follower's to its leader's.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record QuiescedBeat([property: Id(0)] string Group, [property: Id(1)] int From, [property: Id(2)] long Term);

/// <summary>
/// The receiving end of silo heartbeats in cluster mode, keyed by node id: it lives on node N's silo, as node N's
/// replicas do. Silo to silo only: clients are refused it (the gateway's call filter).
/// </summary>
public interface ISiloHeartbeatGrain : IGrainWithIntegerKey
{
    /// <summary>One heartbeat from another silo for all of its quiesced replicas whose peers include this grain's node. No answer.</summary>
    [OneWay]
    Task Beat(QuiescedBeat[] beats);
}
