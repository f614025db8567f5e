using System.Buffers;
using RaftOrleans.Raft;

namespace RaftOrleans.Replica;

/// <summary>The chunks of one incoming snapshot, put back together in order.</summary>
internal sealed class SnapshotAssembly
{
    private readonly ArrayBufferWriter<byte> _bytes = new();

    private SnapshotAssembly(int from, long term, long index, long includedTerm)
    {
        From = from;
        Term = term;
        Index = index;
        IncludedTerm = includedTerm;
    }

    /// <summary>The sender and its term: chunks of another leader's transfer do not belong here.</summary>
    public int From { get; }
    public long Term { get; }

    /// <summary>The snapshot's last included index and term.</summary>
    public long Index { get; }
    public long IncludedTerm { get; }

    public bool Complete { get; private set; }
    public byte[] Data => _bytes.WrittenSpan.ToArray();

    public static SnapshotAssembly Start(InstallSnapshot first) =>
        new(first.From, first.Term, first.LastIncludedIndex, first.LastIncludedTerm);

    /// <summary>True if <paramref name="chunk"/> is the next piece of this snapshot (and then keeps it).</summary>
    public bool TryAdd(InstallSnapshot chunk)
    {
        if (Complete || chunk.From != From || chunk.Term != Term || chunk.LastIncludedIndex != Index
            || chunk.LastIncludedTerm != IncludedTerm || chunk.Offset != _bytes.WrittenCount)
            return false;
        _bytes.Write(chunk.Data);
        Complete = chunk.Done;
        return true;
    }
}
