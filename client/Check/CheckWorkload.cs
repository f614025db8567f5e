using System.Collections.Concurrent;
using System.Diagnostics;
using RaftOrleans.KeyValue.Sessions;
using RaftOrleans.Kv;

namespace RaftOrleans.Client.Check;

/// <summary>
/// The clients of a check: each a <see cref="KvSession"/> (its own client id; a request without an answer is
/// resent under the same id, so it takes effect at most once) sending random put / get / delete, one at a time,
/// over a few keys, with values unique in the run. Every operation is recorded as it was seen: invocation and
/// final answer on one monotonic clock, or no answer at all.
///
/// Each key takes a bounded number of operations, then its slot moves on to a fresh key (Jepsen's "independent"
/// keys): the checker's search grows with the operations of one key, not with the length of the run.
/// </summary>
internal sealed class CheckWorkload(GatewayRoute route, string runId, int clients, int keySlots, Stopwatch clock)
{
    /// <summary>Operations a key takes before its slot moves on to a new key.</summary>
    public const int OperationsPerKey = 300;

    private readonly ConcurrentQueue<HistoryOperation> _history = new();
    private readonly int[] _slotUses = new int[keySlots];
    private readonly int[] _slotGeneration = new int[keySlots];
    private readonly Lock _slots = new();

    public IReadOnlyCollection<HistoryOperation> History => _history;

    /// <summary>Every key used so far.</summary>
    public IReadOnlyList<string> Keys
    {
        get
        {
            lock (_slots)
            {
                return Enumerable.Range(0, keySlots)
                    .SelectMany(slot => Enumerable.Range(0, _slotGeneration[slot] + 1).Select(g => KeyOf(slot, g)))
                    .ToArray();
            }
        }
    }

    /// <summary>Runs every client until <paramref name="stop"/>; each finishes the operation it has under way.</summary>
    public Task RunAsync(CancellationToken stop) =>
        Task.WhenAll(Enumerable.Range(1, clients).Select(client => Task.Run(() => ClientAsync(client, stop))));

    /// <summary>One operation sent by <paramref name="session"/> and recorded under <paramref name="client"/>.</summary>
    public async Task<HistoryOperation> RecordAsync(int client, KvSession session, KvOperation kind, string key, string? value)
    {
        var invoked = Micros();
        HistoryOutcome outcome;
        string? seen = kind == KvOperation.Put ? value : null;
        try
        {
            var answer = kind switch
            {
                KvOperation.Put => await session.PutAsync(key, value!),
                KvOperation.Get => await session.GetAsync(key),
                _ => await session.DeleteAsync(key),
            };
            outcome = answer.Result.Status switch
            {
                KvStatus.Ok => HistoryOutcome.Ok,
                KvStatus.KeyExists => HistoryOutcome.KeyExists,
                KvStatus.NotFound => HistoryOutcome.NotFound,
                _ => HistoryOutcome.Unknown, // Unavailable after every resend; NotLeader; Invalid (never expected here)
            };
            if (kind == KvOperation.Get && outcome == HistoryOutcome.Ok) seen = answer.Result.Value;
        }
        catch (Exception)
        {
            // A lost connection or a failed call: the request may still reach the log.
            outcome = HistoryOutcome.Unknown;
        }
        var operation = new HistoryOperation(client, kind, key, seen, outcome, invoked,
            outcome == HistoryOutcome.Unknown ? null : Micros());
        _history.Enqueue(operation);
        return operation;
    }

    private async Task ClientAsync(int client, CancellationToken stop)
    {
        var session = new KvSession(route);
        var random = new Random();
        for (var n = 1; !stop.IsCancellationRequested; n++)
        {
            var key = NextKey(random);
            var roll = random.Next(100);
            var kind = roll < 40 ? KvOperation.Get : roll < 75 ? KvOperation.Put : KvOperation.Delete;
            await RecordAsync(client, session, kind, key, kind == KvOperation.Put ? $"{client}-{n}" : null);
        }
    }

    private string NextKey(Random random)
    {
        var slot = random.Next(keySlots);
        lock (_slots)
        {
            if (++_slotUses[slot] > OperationsPerKey)
            {
                _slotUses[slot] = 1;
                _slotGeneration[slot]++;
            }
            return KeyOf(slot, _slotGeneration[slot]);
        }
    }

    private string KeyOf(int slot, int generation) => $"check-{runId}-{slot}.{generation}";

    private long Micros() => clock.ElapsedTicks * 1_000_000 / Stopwatch.Frequency;
}
