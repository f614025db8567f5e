using RaftOrleans.Raft;

namespace RaftOrleans.Replica;

/// <summary>The replica's way to its peers: every Raft request is a call that gets one answer or none.</summary>
public interface IReplicaTransport
{
    /// <summary>
    /// Sends <paramref name="request"/> to node <c>request.To</c>. <paramref name="answered"/> runs later on the
    /// replica's own turn, never inside this call, with the peer's reply, or with null when none came within the
    /// transport's deadline (the peer is down, slow or unreachable): Raft then counts the message as lost and its
    /// timers resend.
    /// </summary>
    void Call(RaftMessage request, Action<RaftMessage?> answered);
}
