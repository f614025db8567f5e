using System.Text;

namespace RaftOrleans.Groups;

/// <summary>
/// The store's Raft groups, as raft.toml's [groups] declares them, and the two rules everyone must apply alike
/// (silo, gateway, console): which nodes a group starts on, and which group a key belongs to.
/// <para>
/// Groups are ordered by name. Group number k (from 0) of r replicas over n node slots takes the nodes
/// k+1, k+2, ..., k+r (counted round from 1 to n): consecutive groups start one node further on, so the replicas,
/// and the preferred leaders, spread evenly over the silos.
/// </para>
/// <para>
/// A key without a named group belongs to the group its hash picks (FNV-1a of its UTF-8 bytes, modulo the number of
/// groups): stable across processes and runs, unlike <see cref="string.GetHashCode()"/>. A request that names a group
/// addresses that group's key space: the same key in two groups is two keys.
/// </para>
/// </summary>
public sealed class RaftGroups
{
    private readonly RaftGroup[] _groups;
    private readonly Dictionary<string, RaftGroup> _byName;

    /// <param name="groups">Names and replica counts (each 1..<paramref name="nodes"/>), as raft.toml's validator let them through.</param>
    /// <param name="nodes">The node slots: cluster.nodes (the silos, in cluster mode).</param>
    public RaftGroups(IEnumerable<(string Name, int Replicas)> groups, int nodes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nodes, 1);
        var ordered = groups.OrderBy(g => g.Name, StringComparer.Ordinal).ToArray();
        if (ordered.Length == 0) throw new ArgumentException("at least one group is needed", nameof(groups));
        _groups = ordered.Select((group, k) =>
        {
            if (group.Replicas < 1 || group.Replicas > nodes)
                throw new ArgumentOutOfRangeException(nameof(groups), $"group {group.Name}: {group.Replicas} replicas do not fit on {nodes} nodes");
            var members = Enumerable.Range(0, group.Replicas).Select(j => (k + j) % nodes + 1).ToArray();
            return new RaftGroup(group.Name, group.Replicas, members);
        }).ToArray();
        _byName = _groups.ToDictionary(g => g.Name, StringComparer.Ordinal);
        if (_byName.Count != _groups.Length) throw new ArgumentException("group names must differ", nameof(groups));
        Nodes = nodes;
    }

    /// <summary>The node slots the groups are laid over.</summary>
    public int Nodes { get; }

    /// <summary>Every group, ordered by name.</summary>
    public IReadOnlyList<RaftGroup> All => _groups;

    public int Count => _groups.Length;

    public bool Contains(string name) => _byName.ContainsKey(name);

    /// <summary>Why <paramref name="name"/> names no group (with the groups there are), or null when it names one.</summary>
    public string? Unknown(string name) => Contains(name) ? null : UnknownGroupException.Describe(name, Names);

    /// <summary>The group named <paramref name="name"/>, or an <see cref="UnknownGroupException"/> that lists the others.</summary>
    public RaftGroup this[string name] => _byName.TryGetValue(name, out var group) ? group : throw new UnknownGroupException(name, Names);

    /// <summary>The group a request for <paramref name="key"/> goes to: the one it names, else the one the key's hash picks.</summary>
    public RaftGroup For(string? group, string key) => group is null ? _groups[Bucket(key, _groups.Length)] : this[group];

    /// <summary>The groups with a replica on node <paramref name="node"/> in their first configuration.</summary>
    public IEnumerable<RaftGroup> On(int node) => _groups.Where(g => g.Members.Contains(node));

    public string Names => string.Join(", ", _groups.Select(g => g.Name));

    /// <summary>One line per group, "name replicas", ordered: how a data directory records the groups it was made with.</summary>
    public string Describe() => string.Join("\n", _groups.Select(g => $"{g.Name} {g.Replicas}"));

    /// <summary>FNV-1a (32 bits) of the key's UTF-8 bytes, modulo <paramref name="buckets"/>.</summary>
    public static int Bucket(string key, int buckets)
    {
        const uint offset = 2166136261, prime = 16777619;
        var hash = offset;
        foreach (var b in Encoding.UTF8.GetBytes(key)) hash = (hash ^ b) * prime;
        return (int)(hash % (uint)buckets);
    }
}

/// <summary>A request or command named a group raft.toml does not declare.</summary>
[GenerateSerializer]
public sealed class UnknownGroupException : Exception
{
    public UnknownGroupException(string name, string known) : base(Describe(name, known)) => Group = name;

    public static string Describe(string name, string known) => $"there is no group '{name}' (raft.toml's [groups] declares: {known})";

    [Id(0)] public string Group { get; init; } = "";
}
