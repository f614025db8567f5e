namespace RaftOrleans.Configuration;

/// <summary>
/// One entry of the <c>[groups]</c> section, <c>name = replicas</c>: a Raft group of its own log, leader and state,
/// with that many replicas. Without a <c>[groups]</c> section the store is one group, <see cref="DefaultName"/>, of
/// cluster.nodes replicas (the store as it was before groups).
/// </summary>
public sealed record GroupSettings(string Name, int Replicas)
{
    /// <summary>The one group of a raft.toml without [groups].</summary>
    public const string DefaultName = "main";

    /// <summary>Longest group name, in characters.</summary>
    public const int MaxNameLength = 32;

    /// <summary>Most groups one store may declare: each costs every silo a replica's files and timers.</summary>
    public const int MaxGroups = 256;

    /// <summary>Why <paramref name="name"/> cannot name a group (it names directories, log lines and metric labels), or null.</summary>
    public static string? NameProblem(string name)
    {
        if (name.Length == 0) return "a group name cannot be empty";
        if (name.Length > MaxNameLength) return $"a group name may be at most {MaxNameLength} characters, got '{name}'";
        if (!name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            return $"a group name may hold only letters, digits, '-' and '_', got '{name}'";
        return null;
    }
}
