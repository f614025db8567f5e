using System.Buffers.Binary;
using Orleans;

namespace RaftOrleans.Raft;

/// <summary>
/// Who is in the cluster (Raft thesis, chapter 4): the voters, whose majority elects leaders and commits entries, and
/// the learners, who receive the log but neither vote nor count toward a majority (a new node catches up as a
/// learner before it may change any majority). A configuration is itself a log entry (<see cref="LogEntryKind.Config"/>)
/// and takes effect on every node as soon as that node appends it, committed or not; it changes one node at a time.
/// Immutable; ids are kept sorted.
/// </summary>
[GenerateSerializer, Immutable]
public sealed class ClusterConfig
{
    private const byte FormatVersion = 1;

    /// <summary>The largest node id (ids are small: in cluster mode node N's silo listens on the configured ports + N - 1).</summary>
    public const int MaxNodeId = 99;

    /// <param name="index">The log index of the entry that makes this configuration (0: the bootstrap one).</param>
    public ClusterConfig(IEnumerable<int> voters, IEnumerable<int> learners, long index = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        Index = index;
        Voters = voters.Distinct().Order().ToArray();
        Learners = learners.Distinct().Order().ToArray();
        if (Voters.Length == 0) throw new ArgumentException("a configuration needs at least one voter", nameof(voters));
        if (Voters.Concat(Learners).Any(id => id < 1)) throw new ArgumentException("node ids start at 1", nameof(voters));
        if (Voters.Intersect(Learners).Any()) throw new ArgumentException("a node is either a voter or a learner", nameof(learners));
    }

    /// <summary>The configuration a cluster is born with (raft.toml's nodes): every member votes.</summary>
    public static ClusterConfig Bootstrap(IEnumerable<int> members) => new(members, Array.Empty<int>());

    [Id(0)] public int[] Voters { get; }
    [Id(1)] public int[] Learners { get; }

    /// <summary>
    /// The log index of the configuration entry that made this configuration (0 for the bootstrap one): it travels
    /// with the configuration, so a node that has it from a snapshot or from its state still knows where it came from.
    /// </summary>
    [Id(2)] public long Index { get; }

    /// <summary>This configuration as the entry at <paramref name="index"/> carries it.</summary>
    public ClusterConfig At(long index) => new(Voters, Learners, index);

    /// <summary>Votes (and copies of an entry) that make a majority of the voters.</summary>
    public int Quorum => Voters.Length / 2 + 1;

    public bool IsVoter(int node) => Array.BinarySearch(Voters, node) >= 0;
    public bool IsLearner(int node) => Array.BinarySearch(Learners, node) >= 0;
    public bool Contains(int node) => IsVoter(node) || IsLearner(node);

    /// <summary>Voters and learners, sorted.</summary>
    public IEnumerable<int> Members => Voters.Concat(Learners).Order();

    /// <summary>The same voters and learners (wherever each configuration was made).</summary>
    public bool SameAs(ClusterConfig other) => Voters.AsSpan().SequenceEqual(other.Voters) && Learners.AsSpan().SequenceEqual(other.Learners);

    /// <summary>
    /// The configuration <paramref name="change"/> makes of this one, or why it cannot: adding a node that is a member
    /// already, promoting a node that is not a learner, removing a node that is not a member or the last voter.
    /// Whether a learner has caught up is the leader's to judge (it knows the learner's progress).
    /// </summary>
    public (ClusterConfig? Next, string? Refusal) Apply(MembershipChange change)
    {
        var node = change.Node;
        switch (change.Kind)
        {
            case MembershipChangeKind.AddLearner:
                if (node < 1 || node > MaxNodeId) return (null, $"node ids are 1..{MaxNodeId}, got {node}");
                if (IsVoter(node)) return (null, $"node {node} is a voter already");
                if (IsLearner(node)) return (null, $"node {node} is a learner already (promote it when it has caught up)");
                return (new ClusterConfig(Voters, Learners.Append(node)), null);
            case MembershipChangeKind.Promote:
                if (IsVoter(node)) return (null, $"node {node} is a voter already");
                if (!IsLearner(node)) return (null, $"node {node} is not a learner: add it first (member add {node})");
                return (new ClusterConfig(Voters.Append(node), Learners.Where(l => l != node)), null);
            case MembershipChangeKind.Remove:
                if (!Contains(node)) return (null, $"node {node} is not a member ({this})");
                if (IsVoter(node) && Voters.Length == 1) return (null, $"node {node} is the last voter; a cluster needs one");
                return (new ClusterConfig(Voters.Where(v => v != node), Learners.Where(l => l != node)), null);
            default:
                return (null, $"unknown membership change {change.Kind}");
        }
    }

    /// <summary>The bytes of a configuration entry: version, index, voter count, voters, learner count, learners (little-endian).</summary>
    public byte[] Encode()
    {
        var bytes = new byte[1 + 8 + 4 + 4 * Voters.Length + 4 + 4 * Learners.Length];
        bytes[0] = FormatVersion;
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(1), Index);
        var at = 9;
        foreach (var list in new[] { Voters, Learners })
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(at), list.Length);
            at += 4;
            foreach (var id in list)
            {
                BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(at), id);
                at += 4;
            }
        }
        return bytes;
    }

    /// <summary>Reads <see cref="Encode"/>'s bytes; throws <see cref="FormatException"/> for anything else.</summary>
    public static ClusterConfig Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 17 || bytes[0] != FormatVersion)
            throw new FormatException($"not a cluster configuration (version {(bytes.Length > 0 ? bytes[0] : -1)}, {bytes.Length} bytes)");
        var index = BinaryPrimitives.ReadInt64LittleEndian(bytes[1..]);
        var at = 9;
        int[] ReadList(ReadOnlySpan<byte> span)
        {
            if (span.Length < at + 4) throw new FormatException("a cluster configuration was cut short");
            var count = BinaryPrimitives.ReadInt32LittleEndian(span[at..]);
            at += 4;
            if (count < 0 || span.Length < at + 4L * count) throw new FormatException("a cluster configuration was cut short");
            var list = new int[count];
            for (var i = 0; i < count; i++, at += 4) list[i] = BinaryPrimitives.ReadInt32LittleEndian(span[at..]);
            return list;
        }
        var voters = ReadList(bytes);
        var learners = ReadList(bytes);
        if (at != bytes.Length) throw new FormatException("a cluster configuration has bytes past its end");
        try
        {
            return new ClusterConfig(voters, learners, index);
        }
        catch (ArgumentException error)
        {
            throw new FormatException($"an invalid cluster configuration: {error.Message}");
        }
    }

    public override string ToString() =>
        $"voters {string.Join(",", Voters)}" + (Learners.Length > 0 ? $"; learners {string.Join(",", Learners)}" : "");
}
