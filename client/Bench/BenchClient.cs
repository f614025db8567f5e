using System.Diagnostics;
using HdrHistogram;
using RaftOrleans.Client.Commands;
using RaftOrleans.KeyValue;
using RaftOrleans.KeyValue.Sessions;
using RaftOrleans.Kv;

namespace RaftOrleans.Client.Bench;

/// <summary>
/// One logical bench client: one request outstanding at a time through the client library (<see cref="IKeyValueStore"/>,
/// which every client shares, as an application's threads would; each request borrows a session of its own), the next
/// sent as soon as the last is answered (a closed loop). Everything it records is its
/// own, written by its loop alone, so the hot path takes no lock and shares no counter; the progress line
/// only reads the two request counts, and the totals are read after the loop has ended.
/// </summary>
internal sealed class BenchClient(int index, BenchWorkload workload, string value)
{
    private readonly LongHistogram _latencies = LatencySummary.NewHistogram();
    private readonly long[] _outcomes = new long[Enum.GetValues<BenchOutcome>().Length];
    private readonly long[] _operations = new long[3];
    private long _answered;
    private long _measured;

    /// <summary>Requests answered so far, warm-up included; read by the progress line while the loop runs.</summary>
    public long Answered => Volatile.Read(ref _answered);

    /// <summary>Requests of the measured phase answered so far (errors included, as the etcd loader counts them).</summary>
    public long Measured => Volatile.Read(ref _measured);

    /// <summary>Send to answer, in Stopwatch ticks, of every measured request that did not end in an error.</summary>
    public HistogramBase Latencies => _latencies;

    public long Count(BenchOutcome outcome) => _outcomes[(int)outcome];

    public long Count(KvOperation operation) => _operations[OperationSlot(operation)];

    /// <param name="store">
    /// With one gateway deadline of patience: a resend would hide an Unavailable inside a longer latency, and the etcd
    /// loader does not resend either. An error is counted and the client goes on.
    /// </param>
    public async Task RunAsync(IKeyValueStore store, BenchSchedule schedule, RunAbort abort)
    {
        var random = new Random(HashCode.Combine(index, Guid.NewGuid()));
        for (long request = 0; !abort.IsTripped; request++)
        {
            var sentAt = Stopwatch.GetTimestamp();
            if (schedule.IsOver(sentAt))
            {
                return;
            }
            var (operation, key) = workload.Next(index, request, random);
            var outcome = await SendAsync(store, operation, key, abort);
            var answeredAt = Stopwatch.GetTimestamp();
            Volatile.Write(ref _answered, _answered + 1);
            if (!schedule.Counts(sentAt))
            {
                continue;
            }
            _outcomes[(int)outcome]++;
            _operations[OperationSlot(operation)]++;
            // Like the loader: an error's time says how long the failure took, not how fast the store is.
            if (outcome <= BenchOutcome.NotFound)
            {
                _latencies.RecordValue(Math.Min(answeredAt - sentAt, _latencies.HighestTrackableValue)); // over a minute counts as a minute
            }
            Volatile.Write(ref _measured, _measured + 1);
        }
    }

    private async Task<BenchOutcome> SendAsync(IKeyValueStore store, KvOperation operation, string key, RunAbort abort)
    {
        try
        {
            return operation switch
            {
                KvOperation.Put => await store.PutAsync(key, value) == PutResult.Stored ? BenchOutcome.Ok : BenchOutcome.KeyExists,
                KvOperation.Get => (await store.GetAsync(key)).IsFound ? BenchOutcome.Ok : BenchOutcome.NotFound,
                _ => await store.DeleteAsync(key) == DeleteResult.Deleted ? BenchOutcome.Ok : BenchOutcome.NotFound,
            };
        }
        catch (KeyValueRequestRejectedException)
        {
            return BenchOutcome.Invalid;
        }
        catch (KeyValueUnavailableException)
        {
            return BenchOutcome.Unavailable;
        }
        catch (Exception error)
        {
            // What the library does not turn into an answer is a lost silo (embedded mode), and going on would only
            // spin through instant failures, so the whole run stops.
            if (ConnectionErrors.IsLostConnection(error))
            {
                abort.Trip($"lost the connection to the silo ({error.GetType().Name}: {error.Message})");
            }
            return BenchOutcome.Exception;
        }
    }

    private static int OperationSlot(KvOperation operation) => operation switch
    {
        KvOperation.Get => 0,
        KvOperation.Put => 1,
        _ => 2,
    };
}
