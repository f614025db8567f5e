using RaftOrleans.Kv;

namespace RaftOrleans.Client.Check;

/// <summary>
/// The sequential specification of one key, the model the checker linearizes against: the key holds a value or
/// nothing (null). put stores only into an empty key, delete empties only a full one, get reads. An operation with
/// no definite answer accepts every state and does what it would have done had it taken effect there; "it never
/// took effect" is the same as taking effect after everything else, so it needs no case of its own.
/// </summary>
internal static class KvRegisterModel
{
    /// <summary>Whether <paramref name="operation"/> may take effect on <paramref name="state"/> with the answer it got, and the state it leaves.</summary>
    public static bool Step(string? state, HistoryOperation operation, out string? next)
    {
        next = state;
        var empty = state is null;
        switch (operation.Kind, operation.Outcome)
        {
            case (KvOperation.Put, HistoryOutcome.Ok):
                next = operation.Value;
                return empty;
            case (KvOperation.Put, HistoryOutcome.KeyExists):
                return !empty;
            case (KvOperation.Put, HistoryOutcome.Unknown):
                if (empty) next = operation.Value;
                return true;
            case (KvOperation.Get, HistoryOutcome.Ok):
                return state == operation.Value;
            case (KvOperation.Get or KvOperation.Delete, HistoryOutcome.NotFound):
                return empty;
            case (KvOperation.Get, HistoryOutcome.Unknown):
                return true;
            case (KvOperation.Delete, HistoryOutcome.Ok):
                next = null;
                return !empty;
            case (KvOperation.Delete, HistoryOutcome.Unknown):
                next = null;
                return true;
            default:
                return false; // an answer this operation cannot get (get -> key exists): never linearizable
        }
    }
}
