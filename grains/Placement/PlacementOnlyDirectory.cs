using Orleans.GrainDirectory;

namespace RaftOrleans.Placement;

/// <summary>
/// A grain directory that holds nothing, for grains found by their placement alone: the Raft nodes (node N lives on
/// the silo named for it, <see cref="RaftNodePlacement"/>) and the stateless gateways (local to the silo a request
/// reaches). Neither registers in a directory, but without this Orleans would still look each one up in its default
/// directory before placing it: a call to the silo owning that grain's part of the directory ring. When that silo
/// has just been killed and is not yet declared dead, the lookup fails to connect and Orleans retries it with
/// back-off, and every message to that grain from this silo waits behind it, then fails: a new leader that had
/// no cached address for a follower (as on a silo restarted earlier) could not reach it for 0.5-1 s after another
/// silo died, so the follower campaigned term after term; a client's request waited as long for its gateway grain.
/// With this directory a silo that has no cached address asks the placement director at once (local, from its
/// membership view) and caches its answer.
/// </summary>
public sealed class PlacementOnlyDirectory : IGrainDirectory
{
    public const string Name = "placement-only";

    public static readonly PlacementOnlyDirectory Instance = new();

    public Task<GrainAddress?> Lookup(GrainId grainId) => Task.FromResult<GrainAddress?>(null);

    // Never called for these grains (their placements use no directory); harmless if it were.
    public Task<GrainAddress?> Register(GrainAddress address) => Task.FromResult<GrainAddress?>(address);

    public Task Unregister(GrainAddress address) => Task.CompletedTask;

    public Task UnregisterSilos(List<SiloAddress> siloAddresses) => Task.CompletedTask;
}
