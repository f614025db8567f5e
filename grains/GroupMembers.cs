using RaftOrleans.Groups;

namespace RaftOrleans;

/// <summary>
/// Which node ids a client may name in a group: those of its first configuration, and those a membership change added
/// (its leader, or failing that any first member, knows the configuration in force). Naming any other would activate a
/// node grain, with its storage, that no configuration has.
/// </summary>
internal static class GroupMembers
{
    /// <summary>Node <paramref name="nodeId"/> of the group named <paramref name="group"/>, once both are known to exist.</summary>
    /// <exception cref="ArgumentException">No such group, or <paramref name="nodeId"/> is no member of it.</exception>
    public static async Task<IRaftNodeGrain> NodeAsync(IGrainFactory grains, LeaderCache leaders, RaftGroups groups, string group, int nodeId, TimeSpan patience)
    {
        if (groups.Unknown(group) is { } unknown) throw new ArgumentException(unknown, nameof(group));
        var raftGroup = groups[group];
        await CheckAsync(grains, leaders, raftGroup, nodeId, patience);
        return grains.RaftNode(raftGroup.Name, nodeId);
    }

    /// <exception cref="ArgumentException"><paramref name="nodeId"/> is no member of <paramref name="group"/>.</exception>
    private static async Task CheckAsync(IGrainFactory grains, LeaderCache leaders, RaftGroup group, int nodeId, TimeSpan patience)
    {
        if (group.Members.Contains(nodeId) || await InConfigurationAsync(grains, leaders, group, nodeId, patience)) return;
        throw new ArgumentException($"node {nodeId} is not a member of group {group.Name}", nameof(nodeId));
    }

    private static async Task<bool> InConfigurationAsync(IGrainFactory grains, LeaderCache leaders, RaftGroup group, int nodeId, TimeSpan patience)
    {
        foreach (var asked in (leaders.Leader(group.Name) is { } leader ? [leader] : Array.Empty<int>()).Concat(group.Members).Distinct())
        {
            try
            {
                var status = await grains.RaftNode(group.Name, asked).GetStatus().WaitAsync(patience);
                if (!status.Crashed && status.Voters.Length > 0) return status.IsMember(nodeId);
            }
            catch (Exception error) when (error is TimeoutException or RaftNodeUnavailableException)
            {
                // ask the next one
            }
        }
        return false;
    }
}
