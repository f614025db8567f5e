using Microsoft.Extensions.Logging;
using RaftOrleans.Raft;
using RaftOrleans.Replica;

namespace RaftOrleans;

/// <summary>
/// The replica's transport over Orleans: one grain call per request, all peers in parallel. The deadline bounds
/// what one slow or dead peer costs: its message counts as lost, and Raft's own timers resend it. The await
/// resumes on the calling grain's turn, so the answer reaches the replica there.
/// </summary>
internal sealed partial class GrainTransport(IGrainFactory grains, TimeSpan deadline, int nodeId, ILogger logger) : IReplicaTransport
{
    public void Call(RaftMessage request, Action<RaftMessage?> answered) => _ = CallAsync(request, answered);

    private async Task CallAsync(RaftMessage request, Action<RaftMessage?> answered)
    {
        RaftMessage? reply = null;
        try
        {
            var peer = grains.GetGrain<IRaftNodeGrain>(request.To);
            reply = request switch
            {
                AppendEntries append => await peer.AppendEntries(append).WaitAsync(deadline),
                RequestVote vote => await peer.RequestVote(vote).WaitAsync(deadline),
                InstallSnapshot chunk => await peer.InstallSnapshot(chunk).WaitAsync(deadline),
                _ => throw new InvalidOperationException($"{request.GetType().Name} is only sent as a call's answer"),
            };
        }
        catch (Exception error)
        {
            LogPeerUnreachable(nodeId, request.To, error.GetType().Name);
        }
        answered(reply);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "node {NodeId} could not reach node {Peer}: {Error}")]
    private partial void LogPeerUnreachable(int nodeId, int peer, string error);
}
