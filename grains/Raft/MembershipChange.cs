using Orleans;

namespace RaftOrleans.Raft;

/// <summary>One step of a membership change: only one node, and only one way, at a time (Raft thesis 4.1).</summary>
[GenerateSerializer, Immutable]
public sealed record MembershipChange(
    [property: Id(0)] MembershipChangeKind Kind,
    [property: Id(1)] int Node)
{
    public override string ToString() => Kind switch
    {
        MembershipChangeKind.AddLearner => $"add node {Node} as a learner",
        MembershipChangeKind.Promote => $"promote node {Node} to voter",
        MembershipChangeKind.Remove => $"remove node {Node}",
        _ => $"{Kind} node {Node}",
    };
}

public enum MembershipChangeKind
{
    /// <summary>A new node joins without a vote and catches up from the leader (by snapshot if needed).</summary>
    AddLearner = 1,

    /// <summary>A learner whose log is close to the leader's becomes a voter.</summary>
    Promote = 2,

    /// <summary>A voter or a learner leaves. A leader that removes itself steps down once the change commits.</summary>
    Remove = 3,
}
