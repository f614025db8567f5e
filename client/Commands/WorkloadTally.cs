using RaftOrleans.KeyValue.Sessions;

namespace RaftOrleans.Client.Commands;

/// <summary>
/// The workload's counts, shared by its concurrent clients, and the summary that explains them. Every figure
/// is something this console observed; nothing is inferred.
/// </summary>
internal sealed class WorkloadTally(int planned)
{
    private int _sent;
    private int _succeeded;
    private int _refused;
    private int _failed;
    private int _resends;
    private int _requestsResent;

    public int Failed => Volatile.Read(ref _failed);

    public void Record(RequestOutcome outcome)
    {
        Interlocked.Increment(ref _sent);
        if (outcome.Succeeded)
        {
            Interlocked.Increment(ref _succeeded);
        }
        else if (outcome.Refused)
        {
            Interlocked.Increment(ref _refused);
        }
        else
        {
            Interlocked.Increment(ref _failed);
        }
        if (outcome.Resends > 0)
        {
            Interlocked.Add(ref _resends, outcome.Resends);
            Interlocked.Increment(ref _requestsResent);
        }
    }

    public void WriteSummary(TextWriter output, TimeSpan elapsed, int attempts, string? abortReason)
    {
        var rate = elapsed.TotalSeconds > 0 ? _sent / elapsed.TotalSeconds : 0;
        output.WriteLine();
        output.WriteLine($"summary: {_sent} requests in {elapsed.TotalSeconds:F1} s ({rate:F0} requests/s)");
        output.WriteLine($"  sent       {_sent,5}   logical requests, each counted once however often it was resent");
        output.WriteLine($"  succeeded  {_succeeded,5}   put stored the value, get found one, delete removed one");
        output.WriteLine($"  refused    {_refused,5}   answered by the KV semantics with no: put found the key taken, get or delete found it missing");
        output.WriteLine($"  failed     {_failed,5}   no definitive answer after {attempts} sends (Unavailable), or Invalid");
        output.WriteLine($"  resent     {_resends,5}   sends repeated with the same client id and sequence ({_requestsResent} requests); the session");
        output.WriteLine("                     record applies each request at most once, so a resend that had already been applied is");
        output.WriteLine("                     answered from it. (The gateway's own retries inside the cluster are not seen or counted here.)");
        if (abortReason is not null)
        {
            output.WriteLine($"  not sent   {planned - _sent,5}   the run stopped early: {abortReason}");
        }
    }
}
