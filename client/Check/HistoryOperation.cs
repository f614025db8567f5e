using RaftOrleans.Kv;

namespace RaftOrleans.Client.Check;

/// <summary>What one operation of a checked history came back with.</summary>
internal enum HistoryOutcome
{
    /// <summary>put stored, delete removed, get found <see cref="HistoryOperation.Value"/>.</summary>
    Ok,

    /// <summary>put refused: the key held a value.</summary>
    KeyExists,

    /// <summary>get or delete refused: the key held no value.</summary>
    NotFound,

    /// <summary>No definite answer (timeouts, lost connections, no leader): it took effect once, at some time after it began, or never.</summary>
    Unknown,
}

/// <summary>
/// One operation of a history, as a client saw it: when it was sent first and when its final answer came, on
/// one monotonic clock shared by every client of the run (microseconds from the run's start). An operation
/// without a definite answer has no completion: it may take effect at any time after it began.
/// </summary>
/// <param name="Value">put: the value written (unique in a run); get: the value read (Ok only).</param>
internal sealed record HistoryOperation(
    int Client,
    KvOperation Kind,
    string Key,
    string? Value,
    HistoryOutcome Outcome,
    long InvokedMicros,
    long? CompletedMicros)
{
    public bool IsUnknown => Outcome == HistoryOutcome.Unknown;

    /// <summary>When it stops being able to take effect: its answer, or never (<see cref="long.MaxValue"/>).</summary>
    public long LatestEffectMicros => CompletedMicros ?? long.MaxValue;

    /// <summary>"put k1 = 3-17 -> ok", "get k1 -> 3-17", "delete k1 -> unknown".</summary>
    public string Describe()
    {
        var operation = Kind switch
        {
            KvOperation.Put => $"put {Key} = {Value}",
            KvOperation.Get => $"get {Key}",
            _ => $"delete {Key}",
        };
        var answer = (Kind, Outcome) switch
        {
            (KvOperation.Get, HistoryOutcome.Ok) => Value,
            (_, HistoryOutcome.Ok) => "ok",
            (_, HistoryOutcome.KeyExists) => "key exists",
            (_, HistoryOutcome.NotFound) => "not found",
            _ => "unknown",
        };
        return $"{operation} -> {answer}";
    }
}
