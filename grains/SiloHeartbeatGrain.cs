using Orleans.Concurrency;
using Orleans.GrainDirectory;
using Orleans.Placement;
using RaftOrleans.Placement;

namespace RaftOrleans;

/// <summary>
/// Receives other silos' heartbeats for their quiesced replicas (<see cref="SiloHeartbeatHost"/>) on node N's silo, where
/// the placement puts it by its key as it puts node N's replicas; hands them to this silo's <see cref="Replica.SiloHeartbeats"/>.
/// </summary>
[Reentrant, RaftNodePlacement, Immovable, GrainDirectory(GrainDirectoryName = PlacementOnlyDirectory.Name)]
public sealed class SiloHeartbeatGrain(SiloHeartbeatHost host) : Grain, ISiloHeartbeatGrain
{
    public Task Beat(QuiescedBeat[] beats)
    {
        host.Heartbeats.Received((int)this.GetPrimaryKeyLong(), beats);
        return Task.CompletedTask;
    }
}
