using RaftOrleans.Kv;
using RaftOrleans.Raft;

namespace RaftOrleans.Tests.Simulation;

/// <summary>
/// The one committed log of the cluster, as first seen applied by any node, with
/// what the <see cref="KvModel"/> answers at each index. Every later node that applies an index is held to it.
/// </summary>
internal sealed class CommittedLog
{
    private readonly List<CommittedEntry> _entries = new();

    public long Count => _entries.Count;

    public CommittedEntry this[long index] => _entries[(int)(index - 1)];

    /// <summary>What the model holds once everything up to <paramref name="index"/> is applied.</summary>
    public KvModelState StateAt(long index) => index == 0 ? KvModelState.Empty : this[index].StateAfter;

    public void Add(CommittedEntry entry)
    {
        if (entry.Entry.Index != Count + 1)
            throw new InvariantViolation($"index {entry.Entry.Index} committed while the committed log ends at {Count}");
        _entries.Add(entry);
    }
}

/// <summary>
/// A committed entry. <paramref name="CommitTerm"/> is the term of the node that first applied it: never
/// earlier than the term it was really committed in, so "every leader of a later term holds it" is sound
/// to check against it. <paramref name="Request"/> and <paramref name="Answer"/> are null for a no-op.
/// <paramref name="StateAfter"/> is the model's state once this entry is applied.
/// </summary>
internal sealed record CommittedEntry(LogEntry Entry, long CommitTerm, int FirstAppliedBy, KvRequest? Request, KvResult? Answer,
    KvModelState StateAfter);
