using Orleans;

namespace RaftOrleans.Raft;

/// <summary>
/// The two scalars of Figure 2's "persistent state on all servers" besides the log. They must be on stable
/// storage before the node answers any RPC, or a restarted node could vote twice in one term.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record HardState(
    [property: Id(0)] long Term,
    [property: Id(1)] int? VotedFor)
{
    public static readonly HardState Initial = new(0, null);
}
