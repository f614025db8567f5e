using RaftOrleans.Raft;

namespace RaftOrleans.Replica;

/// <summary>
/// What a replica tells its silo about its quiescence (<see cref="RaftNode.Quiesced"/>), so that the silo's one
/// heartbeat (<see cref="SiloHeartbeats"/>) stands in for the heartbeats of its quiesced groups. Called on the
/// replica's turn; thread-safe.
/// </summary>
public interface IReplicaQuiescence
{
    /// <summary>
    /// The replica is quiesced in <paramref name="state"/>. A leader: the silo beats for it to
    /// <paramref name="followers"/>' silos. A follower: the silo watches its leader's beat, counting from now (each
    /// call restarts the count: the replica calls again whenever its leader's messages reach it).
    /// </summary>
    void Quiesced(SoftState state, IReadOnlyCollection<int> followers);

    /// <summary>The replica is not quiesced (any more), or is down: no beat for it, no watch.</summary>
    void Woke();

    /// <summary>
    /// How long the silo has heard no beat from <paramref name="peer"/>'s silo, and the term the replica quiesced in,
    /// if it is quiesced waiting for that peer and that is already a silence (at least the minimum election timeout);
    /// else null. The silo reports a silence at its next beat anyway; a replica asks sooner when a peer's pre-vote
    /// shows the peer was told first.
    /// </summary>
    (long Term, TimeSpan For)? Silence(int peer);
}

/// <summary>For a host without silo heartbeats (quiescence off).</summary>
public sealed class NoQuiescence : IReplicaQuiescence
{
    public static readonly NoQuiescence Instance = new();

    public void Quiesced(SoftState state, IReadOnlyCollection<int> followers) { }

    public void Woke() { }

    public (long Term, TimeSpan For)? Silence(int peer) => null;
}
