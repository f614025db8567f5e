namespace RaftOrleans.Storage;

/// <summary>One replica of the store: node <see cref="Node"/> of group <see cref="Group"/>. Its records in a silo's shared log carry it.</summary>
public readonly record struct ReplicaId(string Group, int Node)
{
    public override string ToString() => $"node {Node} of group {Group}";
}
