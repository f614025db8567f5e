using Orleans.Placement;

namespace RaftOrleans.Placement;

/// <summary>
/// Raft node N lives only on the silo configured for node N (<see cref="RaftClusterOptions.SiloNameOf"/>): its
/// log and its votes are on that silo's disk, and activated anywhere else it would start with an empty log and
/// could vote twice in one term. The silo's RaftNodePlacementDirector enforces it.
/// </summary>
/// <remarks>
/// No grain directory: where node N lives follows from its name alone, so every message is addressed by the
/// director (and Orleans' address cache), and the single activation per silo is found by its grain id. With a
/// directory registration the node would be deactivated, and its replica restarted from disk, whenever the silo
/// that happened to hold its registration died: a survivor (often the new leader) taken down by another's crash.
/// </remarks>
public sealed class RaftNodePlacement : PlacementStrategy
{
    internal static readonly RaftNodePlacement Instance = new();

    public override bool IsUsingGrainDirectory => false;
}

/// <summary>Places a grain keyed by a Raft node id with <see cref="RaftNodePlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class RaftNodePlacementAttribute() : PlacementAttribute(RaftNodePlacement.Instance);
