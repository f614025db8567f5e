using Microsoft.Extensions.Logging;
using RaftOrleans.Faults;
using RaftOrleans.Raft;
using RaftOrleans.Replica;

namespace RaftOrleans;

/// <summary>
/// The replica's transport over Orleans: one grain call per request to the peer of the same group, all peers in parallel. The deadline bounds
/// what one slow or dead peer costs: its message counts as lost, and Raft's own timers resend it. The await
/// resumes on the calling grain's turn, so the answer reaches the replica there. A message to a peer this node is
/// cut off from (<see cref="LinkFaults"/>, fault injection) is lost: no answer, after the same deadline.
/// </summary>
internal sealed partial class GrainTransport(IGrainFactory grains, TimeSpan deadline, string group, int nodeId, LinkFaults links, ILogger logger) : IReplicaTransport
{
    // Always a later turn on this grain, never inline: a peer in this silo can answer on another thread before the
    // await, and a plain await would then run the replica's callback inside the Call that sent the request (seen
    // under load: the answer's batch overtook the one being sent, and the leader skipped an entry).
    private const ConfigureAwaitOptions LaterTurn = ConfigureAwaitOptions.ContinueOnCapturedContext | ConfigureAwaitOptions.ForceYielding;

    public void Call(RaftMessage request, Action<RaftMessage?> answered) => _ = CallAsync(request, answered);

    private async Task CallAsync(RaftMessage request, Action<RaftMessage?> answered)
    {
        RaftMessage? reply = null;
        if (links.IsCut(request.To))
        {
            await Task.Delay(deadline).ConfigureAwait(LaterTurn);
            answered(null);
            return;
        }
        try
        {
            var peer = grains.RaftNode(group, request.To);
            if (request is TimeoutNow timeoutNow)
            {
                await peer.TimeoutNow(timeoutNow).WaitAsync(deadline).ConfigureAwait(LaterTurn); // answered by no message
                answered(null);
                return;
            }
            reply = request switch
            {
                AppendEntries append => await peer.AppendEntries(append).WaitAsync(deadline).ConfigureAwait(LaterTurn),
                RequestVote vote => await peer.RequestVote(vote).WaitAsync(deadline).ConfigureAwait(LaterTurn),
                InstallSnapshot chunk => await peer.InstallSnapshot(chunk).WaitAsync(deadline).ConfigureAwait(LaterTurn),
                _ => throw new InvalidOperationException($"{request.GetType().Name} is only sent as a call's answer"),
            };
        }
        catch (Exception error)
        {
            LogPeerUnreachable(nodeId, request.To, error.GetType().Name);
        }
        answered(reply);
    }

    [LoggerMessage(EventId = 1200, Level = LogLevel.Debug, Message = "node {NodeId} could not reach node {Peer}: {Error}")]
    private partial void LogPeerUnreachable(int nodeId, int peer, string error);
}
