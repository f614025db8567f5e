using Orleans;

namespace RaftOrleans.Raft;

/// <summary>
/// The answer to a request to hand leadership over. Started: the leader stopped taking proposals and is bringing
/// <see cref="Target"/> up to date, then tells it to campaign; it gives up after an election timeout. Otherwise
/// <see cref="Refusal"/> says why nothing changed, and <see cref="LeaderHint"/> names the leader when this node is not it.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record TransferResult(
    [property: Id(0)] bool Started,
    [property: Id(1)] int? Target,
    [property: Id(2)] string? Refusal,
    [property: Id(3)] int? LeaderHint)
{
    public static TransferResult Begun(int target) => new(true, target, null, null);
    public static TransferResult Refused(string why) => new(false, null, why, null);
    public static TransferResult NotLeader(int? leader) =>
        new(false, null, leader is { } id ? $"this node does not lead; node {id} does" : "this node does not lead, and knows no leader", leader);
}
