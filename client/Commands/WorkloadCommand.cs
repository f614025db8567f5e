using System.Diagnostics;
using RaftOrleans.KeyValue.Sessions;

namespace RaftOrleans.Client.Commands;

/// <summary>
/// The default command: the workload from raft.toml [client]. num_clients clients run at once, each with its
/// own session, each sending requests_per_client random get/put/delete over key_space keys, one at a time.
/// A small key pool makes the KV semantics visible: puts find keys taken, deletes find them gone.
/// </summary>
internal sealed class WorkloadCommand(int? seed) : IClientCommand
{
    public async Task<int> RunAsync(CommandContext context)
    {
        var settings = context.Config.Client;
        // Each client draws from its own generator, seeded from one number printed up front: the same seed
        // gives every client the same request sequence again (their interleaving is up to the scheduler).
        var baseSeed = seed ?? Random.Shared.Next();
        context.Out.WriteLine($"workload: {settings.NumClients} clients x {settings.RequestsPerClient} requests, random get/put/delete " +
                              $"over {settings.KeySpace} keys (seed {baseSeed})");

        var tally = new WorkloadTally(settings.NumClients * settings.RequestsPerClient);
        var abort = new RunAbort();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(1, settings.NumClients)
            .Select(client => RunClientAsync(context, client, new Random(baseSeed + client), tally, abort)));
        tally.WriteSummary(context.Out, clock.Elapsed, KvSession.DefaultAttempts, abort.Reason);
        return tally.Failed == 0 && !abort.IsTripped ? ExitCodes.Ok : ExitCodes.Unavailable;
    }

    private static async Task RunClientAsync(CommandContext context, int client, Random random, WorkloadTally tally, RunAbort abort)
    {
        var settings = context.Config.Client;
        var session = new KvSession(context.Route);
        for (var i = 1; i <= settings.RequestsPerClient && !abort.IsTripped; i++)
        {
            var key = $"key-{random.Next(settings.KeySpace)}";
            var outcome = random.Next(3) switch
            {
                0 => await session.PutAsync(key, $"v{client}.{i}"),
                1 => await session.GetAsync(key),
                _ => await session.DeleteAsync(key),
            };
            tally.Record(outcome);
            context.Out.WriteLine(Describe(client, outcome));
            if (outcome.Unanswered)
            {
                abort.Trip($"client {client}'s request #{outcome.Request.Sequence} got no answer from a leader through {outcome.Resends + 1} sends");
            }
        }
    }

    /// <summary>"client 2 #5  put key-3=v2.5  -> Ok", with the resends when there were any.</summary>
    private static string Describe(int client, RequestOutcome outcome)
    {
        var request = outcome.Request;
        var operation = request.Operation.ToString().ToLowerInvariant();
        var what = request.Value is null ? $"{operation} {request.Key}" : $"{operation} {request.Key}={request.Value}";
        var resent = outcome.Resends > 0 ? $"  (resent {outcome.Resends}x with the same id)" : "";
        return $"client {client} #{request.Sequence,-3} {what,-22} -> {outcome.Result}{resent}";
    }
}
