using RaftOrleans.Raft;
using RaftOrleans.Storage;

namespace RaftOrleans;

/// <summary>
/// Carrying out the core's batches (Ready): persist, then send, then apply. The persist runs on the storage
/// thread (<see cref="DurableWriter"/>), so while the disk flushes one batch the grain goes on taking requests
/// and producing the next ones. A batch is carried out (its messages sent, its entries applied, its caller
/// answered) only once its write and every write before it are durable, and batches are carried out in the
/// order the core produced them: to anyone outside, the node behaves exactly as if each persist had blocked.
/// </summary>
public sealed partial class RaftNodeGrain
{
    private static readonly Task<RaftMessage?> NoReply = Task.FromResult<RaftMessage?>(null);

    // Batches whose writes are not durable yet, oldest first.
    private readonly Queue<WaitingBatch> _outbox = new();

    private sealed record WaitingBatch(
        Ready Ready, Task Durable, StoredSnapshot? Installed, RaftMessage? Answering, TaskCompletionSource<RaftMessage?>? Reply);

    /// <summary>Steps a request into the core and returns the reply the core wrote for it, once it may be sent.</summary>
    private async Task<TReply> Answer<TReply>(RaftMessage request) where TReply : RaftMessage =>
        await Input(core => core.Step(request), request) as TReply
        ?? throw new InvalidOperationException($"node {NodeId} produced no {typeof(TReply).Name} for node {request.From}");

    /// <summary>Carries out whatever the core has pending (proposals appended since the last batch, timers).</summary>
    private void Drive() => _ = Input(_ => { });

    /// <summary>
    /// Feeds one input to the core and carries out the batch it produced, now if nothing needs the disk, or
    /// once its write is durable. If anything throws (the core found an impossible state, or the disk failed),
    /// the node stops as a crash would, rather than run on with a core and a state machine that no longer
    /// agree; restart recovers it from storage. When the batch answers <paramref name="answering"/>, the task
    /// returns that answer (it travels back as the grain call's result) instead of sending it.
    /// </summary>
    private Task<RaftMessage?> Input(Action<RaftNode> input, RaftMessage? answering = null)
    {
        var core = RunningCore();
        try
        {
            input(core);
            var ready = core.TakeReady();
            var installed = ready.Snapshot is { } install ? AssembledSnapshot(install) : null;
            var durable = StartWrites(ready, installed);
            if (_outbox.Count == 0 && durable.IsCompletedSuccessfully)
            {
                return Task.FromResult(CarryOut(core, ready, installed, answering));
            }

            var reply = answering is null ? null : new TaskCompletionSource<RaftMessage?>(TaskCreationOptions.RunContinuationsAsynchronously);
            _outbox.Enqueue(new WaitingBatch(ready, durable, installed, answering, reply));
            if (_outbox.Count == 1) _ = DrainOutbox(_incarnation);
            return reply?.Task ?? NoReply;
        }
        catch (Exception error) when (error is not RaftNodeUnavailableException)
        {
            Stop(error);
            throw;
        }
    }

    /// <summary>Queues the batch's writes (snapshot first, then hard state and entries); the task completes when they and all earlier ones are durable.</summary>
    private Task StartWrites(Ready ready, StoredSnapshot? installed)
    {
        var durable = _writer.Tail;
        if (installed is not null) durable = _writer.SaveSnapshot(installed, ready.Snapshot!.DiscardLog);
        if (ready.HardState is not null || ready.EntriesToPersist.Count > 0)
        {
            durable = _writer.Persist(ready.HardState, ready.EntriesToPersist);
        }
        return durable;
    }

    /// <summary>Carries out waiting batches in order, each once its writes are durable; one loop per incarnation at a time.</summary>
    private async Task DrainOutbox(int incarnation)
    {
        while (_outbox.TryPeek(out var next))
        {
            try
            {
                await next.Durable; // back on this activation afterwards
            }
            catch (Exception error)
            {
                if (incarnation == _incarnation) Stop(error);
                return;
            }
            if (incarnation != _incarnation || _core is not { } core) return; // the fence already failed the rest
            _outbox.Dequeue();
            try
            {
                // Not `next.Reply?.TrySetResult(CarryOut(...))`: that would skip carrying out a batch no caller waits on.
                var reply = CarryOut(core, next.Ready, next.Installed, next.Answering);
                next.Reply?.TrySetResult(reply);
            }
            catch (Exception error)
            {
                next.Reply?.TrySetException(error); // already dequeued: the fence below would not reach it
                Stop(error);
                return;
            }
        }
    }

    /// <summary>Send, then apply: the batch's writes are durable.</summary>
    private RaftMessage? CarryOut(RaftNode core, Ready ready, StoredSnapshot? installed, RaftMessage? answering)
    {
        RaftMessage? reply = null;
        foreach (var message in ready.Messages)
        {
            if (reply is null && answering is not null && IsReplyTo(message, answering)) reply = message;
            else _ = SendAsync(message);
        }

        if (installed is not null) RestoreFrom(installed);
        Apply(ready.CommittedEntries);
        AnswerReads(ready);
        ObserveRole(core);
        MaybeSnapshot(core);
        return reply;
    }

    private static bool IsReplyTo(RaftMessage message, RaftMessage request) =>
        message.To == request.From
        && ((request is RequestVote && message is RequestVoteReply)
            || (request is AppendEntries && message is AppendEntriesReply)
            || (request is InstallSnapshot && message is InstallSnapshotReply));

    /// <summary>A batch could not be carried out: the node stops like a crash (see <see cref="Input"/>).</summary>
    private void Stop(Exception error)
    {
        LogBatchFailed(NodeId, error);
        Crash();
    }

    /// <summary>The fence: callers waiting on batches that will never be carried out learn the node is down.</summary>
    private void FailOutbox(Exception error)
    {
        foreach (var waiting in _outbox) waiting.Reply?.TrySetException(error);
        _outbox.Clear();
    }
}
