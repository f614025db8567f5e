using RaftOrleans.Raft;

namespace RaftOrleans;

/// <summary>Outgoing RequestVote and AppendEntries: one grain call per message, all peers in parallel.</summary>
public sealed partial class RaftNodeGrain
{
    private async Task SendAsync(RaftMessage message)
    {
        var incarnation = _incarnation;
        if (message is InstallSnapshot snapshot)
        {
            await SendSnapshotAsync(snapshot, incarnation);
            return;
        }
        var peer = GrainFactory.GetGrain<IRaftNodeGrain>(message.To);
        LogSending(NodeId, message);
        RaftMessage reply;
        try
        {
            // The timeout bounds what one slow or dead peer costs: that message counts as lost, and Raft's
            // own timers resend it. Other peers are called independently and never wait on this one.
            reply = message switch
            {
                RequestVote request => await peer.RequestVote(request).WaitAsync(_cluster.RpcTimeout),
                AppendEntries request => await peer.AppendEntries(request).WaitAsync(_cluster.RpcTimeout),
                _ => throw new InvalidOperationException($"{message.GetType().Name} is only sent as a call's answer"),
            };
        }
        catch (Exception error)
        {
            LogPeerUnreachable(NodeId, message.To, error.GetType().Name);
            return;
        }

        // The world may have changed while we awaited: ask the core afresh, and only if this incarnation lives.
        if (_core is null || incarnation != _incarnation) return;
        _ = Input(core => core.Step(reply));
    }
}
