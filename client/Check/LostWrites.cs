using RaftOrleans.Kv;

namespace RaftOrleans.Client.Check;

/// <summary>
/// Acknowledged writes the store lost: a put that answered Ok, whose value the final read of its key does not
/// show, although no delete of that key could have taken effect after it. (Puts only fill empty keys, so only a
/// delete can remove a value.) The linearizability check catches these too; this names them, as Jepsen's set
/// checks do, because a lost acknowledged write is the failure users fear most.
/// </summary>
internal static class LostWrites
{
    /// <param name="finalReads">The read of each key after the cluster healed, with a definite answer.</param>
    public static IReadOnlyList<HistoryOperation> Find(IEnumerable<HistoryOperation> history, IReadOnlyDictionary<string, HistoryOperation> finalReads)
    {
        var byKey = history.ToLookup(o => o.Key, StringComparer.Ordinal);
        var lost = new List<HistoryOperation>();
        foreach (var put in history.Where(o => o is { Kind: KvOperation.Put, Outcome: HistoryOutcome.Ok }))
        {
            if (!finalReads.TryGetValue(put.Key, out var final) || final.IsUnknown) continue;
            var shown = final.Outcome == HistoryOutcome.Ok && final.Value == put.Value;
            var mayBeDeleted = byKey[put.Key].Any(o => o.Kind == KvOperation.Delete
                                                       && o.Outcome is HistoryOutcome.Ok or HistoryOutcome.Unknown
                                                       && o.LatestEffectMicros > put.InvokedMicros);
            if (!shown && !mayBeDeleted) lost.Add(put);
        }
        return lost;
    }
}
