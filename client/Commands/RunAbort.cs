namespace RaftOrleans.Client.Commands;

/// <summary>
/// Shared by the concurrent clients of one run: once a request has stayed unanswered through every resend,
/// the cluster has had several deadlines to elect a leader and did not, so the run stops sending instead of
/// spending a full deadline on each of its remaining requests. The first reason is kept for the summary.
/// </summary>
internal sealed class RunAbort
{
    private string? _reason;

    public bool IsTripped => Volatile.Read(ref _reason) is not null;

    public string? Reason => Volatile.Read(ref _reason);

    public void Trip(string reason) => Interlocked.CompareExchange(ref _reason, reason, null);
}
