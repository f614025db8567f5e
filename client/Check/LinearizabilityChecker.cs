using System.Diagnostics;
using RaftOrleans.Kv;

namespace RaftOrleans.Client.Check;

/// <summary>The checker's answer: proven, disproven, or out of time.</summary>
internal enum Linearizable
{
    Yes,
    No,
    Unknown,
}

/// <summary>One key's operations and what the search found for them.</summary>
internal sealed record KeyVerdict(string Key, Linearizable Result, IReadOnlyList<HistoryOperation> Operations);

/// <summary>The whole history's answer: No if any key is not linearizable, else Unknown if any key ran out of time.</summary>
internal sealed record CheckVerdict(Linearizable Result, IReadOnlyList<KeyVerdict> Keys, TimeSpan Took)
{
    /// <summary>The failing key with the fewest operations: the smallest history a person has to read.</summary>
    public KeyVerdict? SmallestFailure => Keys.Where(k => k.Result == Linearizable.No).MinBy(k => k.Operations.Count);
}

/// <summary>
/// Decides whether a history of put / get / delete is linearizable: whether every operation can be given one
/// instant between its invocation and its answer such that, in that order, each answer is what the sequential
/// <see cref="KvRegisterModel"/> gives. Linearizability is local (Herlihy and Wing), so each key is checked on
/// its own, which keeps each search small.
///
/// The search is Wing and Gong's, with Lowe's memoisation, as Porcupine and Knossos do it: walk the history's
/// invocations and answers in time order; at an invocation, try to linearize that operation now (the model
/// accepts its answer) unless the same set of linearized operations has already reached the same state before
/// (the cache: that branch was explored); at an answer whose operation is still not linearized, that choice
/// failed, so undo the last one and try the next candidate. An empty history of candidates is a proof; undoing
/// past the first choice is a refutation. The search is exponential in the worst case (many overlapping operations
/// with unknown outcomes), so it runs against a deadline and says Unknown rather than hang.
/// </summary>
internal static class LinearizabilityChecker
{
    public static CheckVerdict Check(IEnumerable<HistoryOperation> history, TimeSpan budget)
    {
        var clock = Stopwatch.StartNew();
        var deadline = Stopwatch.GetTimestamp() + (long)(budget.TotalSeconds * Stopwatch.Frequency);
        var verdicts = new List<KeyVerdict>();
        // Smallest keys first: if time runs out, as much of the history as possible has been checked.
        foreach (var key in history.GroupBy(o => o.Key, StringComparer.Ordinal).OrderBy(g => g.Count()))
        {
            var operations = key.OrderBy(o => o.InvokedMicros).ToArray();
            var result = Stopwatch.GetTimestamp() < deadline ? CheckKey(operations, deadline) : Linearizable.Unknown;
            verdicts.Add(new KeyVerdict(key.Key, result, operations));
        }
        var overall = verdicts.Any(v => v.Result == Linearizable.No) ? Linearizable.No
            : verdicts.Any(v => v.Result == Linearizable.Unknown) ? Linearizable.Unknown
            : Linearizable.Yes;
        return new CheckVerdict(overall, verdicts, clock.Elapsed);
    }

    /// <summary>One key's history (every operation on the same key); <paramref name="deadline"/> is a <see cref="Stopwatch"/> timestamp.</summary>
    public static Linearizable CheckKey(IReadOnlyList<HistoryOperation> history, long deadline)
    {
        // A get without an answer observed nothing and changed nothing: it constrains no order.
        var operations = history.Where(o => !(o.Kind == KvOperation.Get && o.IsUnknown)).ToArray();
        var head = Event.Timeline(operations);
        var linearized = new OperationSet(operations.Length);
        var explored = new HashSet<(OperationSet Done, string? State)>();
        var choices = new Stack<(Event Call, string? StateBefore, OperationSet DoneBefore)>();
        string? state = null; // every run uses fresh keys: they start empty
        var entry = head.Next;
        for (long steps = 1; head.Next is not null; steps++)
        {
            if ((steps & 0x3FF) == 0 && Stopwatch.GetTimestamp() > deadline) return Linearizable.Unknown;
            if (entry!.IsCall)
            {
                if (KvRegisterModel.Step(state, operations[entry.Operation], out var next))
                {
                    var done = linearized.With(entry.Operation);
                    if (explored.Add((done, next)))
                    {
                        choices.Push((entry, state, linearized));
                        state = next;
                        linearized = done;
                        entry.Lift();
                        entry = head.Next;
                        continue;
                    }
                }
                entry = entry.Next;
            }
            else
            {
                // This operation answered and nothing before its answer could take it: undo the latest choice.
                if (choices.Count == 0) return Linearizable.No;
                var (call, stateBefore, doneBefore) = choices.Pop();
                state = stateBefore;
                linearized = doneBefore;
                call.Unlift();
                entry = call.Next;
            }
        }
        return Linearizable.Yes;
    }

    /// <summary>
    /// The shortest prefix of one key's history that is already not linearizable: a person reads where it went
    /// wrong rather than the whole key. The prefix cut at time T holds the operations invoked by T, keeps the
    /// answers of those that completed by T and treats the ones still running as unknown; that relaxation makes it
    /// a sound witness: were the whole history linearizable, every such prefix would be too (its operations
    /// linearized before T keep their places, the others may take effect after everything). Null if none is
    /// found before <paramref name="deadline"/> (a <see cref="Stopwatch"/> timestamp).
    /// </summary>
    public static IReadOnlyList<HistoryOperation>? ShortestFailingPrefix(IReadOnlyList<HistoryOperation> history, long deadline)
    {
        var ordered = history.OrderBy(o => o.InvokedMicros).ToArray();
        var cuts = ordered.Select(o => o.InvokedMicros)
            .Concat(ordered.Where(o => !o.IsUnknown).Select(o => o.LatestEffectMicros))
            .Distinct()
            .Order();
        foreach (var cut in cuts)
        {
            var prefix = ordered.TakeWhile(o => o.InvokedMicros <= cut).ToArray();
            var relaxed = prefix
                .Select(o => o.LatestEffectMicros > cut ? o with { Outcome = HistoryOutcome.Unknown, CompletedMicros = null } : o)
                .ToArray();
            var result = CheckKey(relaxed, deadline);
            if (result == Linearizable.No) return prefix;
            if (result == Linearizable.Unknown) return null;
        }
        return null;
    }

    /// <summary>An invocation or an answer in a doubly linked timeline; linearizing an operation lifts both out of it.</summary>
    private sealed class Event(int operation, bool isCall, long time)
    {
        public int Operation { get; } = operation;
        public bool IsCall { get; } = isCall;
        public long Time { get; } = time;
        public Event? Previous { get; private set; }
        public Event? Next { get; private set; }
        private Event? Answer { get; set; }

        /// <summary>A head sentinel followed by every invocation and answer in time order (an invocation before an answer at the same instant: they overlap).</summary>
        public static Event Timeline(IReadOnlyList<HistoryOperation> operations)
        {
            var events = new List<Event>(operations.Count * 2);
            for (var i = 0; i < operations.Count; i++)
            {
                var call = new Event(i, isCall: true, operations[i].InvokedMicros);
                call.Answer = new Event(i, isCall: false, operations[i].LatestEffectMicros);
                events.Add(call);
                events.Add(call.Answer);
            }
            events.Sort((a, b) => a.Time != b.Time ? a.Time.CompareTo(b.Time)
                : a.IsCall != b.IsCall ? (a.IsCall ? -1 : 1)
                : a.Operation.CompareTo(b.Operation));
            var head = new Event(-1, isCall: false, long.MinValue);
            var last = head;
            foreach (var e in events)
            {
                last.Next = e;
                e.Previous = last;
                last = e;
            }
            return head;
        }

        public void Lift()
        {
            Unlink(this);
            Unlink(Answer!);
        }

        /// <summary>The exact reverse of <see cref="Lift"/>: the answer goes back first, then the invocation.</summary>
        public void Unlift()
        {
            Relink(Answer!);
            Relink(this);
        }

        private static void Unlink(Event e)
        {
            e.Previous!.Next = e.Next;
            if (e.Next is not null) e.Next.Previous = e.Previous;
        }

        private static void Relink(Event e)
        {
            e.Previous!.Next = e;
            if (e.Next is not null) e.Next.Previous = e;
        }
    }

    /// <summary>An immutable set of operation indexes (a bit set) with value equality, for the search's cache.</summary>
    private readonly struct OperationSet : IEquatable<OperationSet>
    {
        private readonly ulong[] _words;
        private readonly int _hash;

        public OperationSet(int capacity) : this(new ulong[(capacity + 63) / 64]) { }

        private OperationSet(ulong[] words)
        {
            _words = words;
            var hash = new HashCode();
            foreach (var word in words) hash.Add(word);
            _hash = hash.ToHashCode();
        }

        public OperationSet With(int index)
        {
            var words = (ulong[])_words.Clone();
            words[index / 64] |= 1UL << (index % 64);
            return new OperationSet(words);
        }

        public bool Equals(OperationSet other) => _hash == other._hash && _words.AsSpan().SequenceEqual(other._words);

        public override bool Equals(object? obj) => obj is OperationSet other && Equals(other);

        public override int GetHashCode() => _hash;
    }
}
