using RaftOrleans.Status;

namespace RaftOrleans;

/// <summary>What `client status` reads from one node.</summary>
public sealed partial class RaftNodeGrain
{
    public Task<NodeStatus> GetStatus()
    {
        var core = _core;
        return Task.FromResult(new NodeStatus
        {
            NodeId = NodeId,
            Crashed = core is null,
            Role = core?.Role.ToString() ?? "Crashed",
            Term = core?.Term ?? 0,
            VotedFor = core?.VotedFor,
            LeaderId = core?.LeaderId,
            LastLogIndex = core?.LastLogIndex ?? 0,
            CommitIndex = core?.CommitIndex ?? 0,
            LastApplied = core is null ? 0 : _appliedIndex, // what the state machine holds (the core may be ahead)
            Followers = core is null
                ? Array.Empty<FollowerStatus>()
                : core.Followers.OrderBy(f => f.Key)
                    .Select(f => new FollowerStatus(f.Key, f.Value.MatchIndex, f.Value.NextIndex,
                        (core.Now - f.Value.LastContact).TotalMilliseconds))
                    .ToArray(),
            ElectionsWon = _electionsWon.ToArray(),
            StateDigest = _kv.Digest.ToString("X16"),
            KeyCount = _kv.Count,
            SnapshotIndex = core?.SnapshotIndex ?? 0,
        });
    }
}
