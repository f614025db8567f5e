using RaftOrleans.Raft;

namespace RaftOrleans.Tests.Simulation;

/// <summary>
/// The chunks of one snapshot a follower is receiving, put back together in order, as the shell does
/// (RaftNodeGrain.ReceiveChunk): a chunk at offset 0 starts over; any other chunk must be the next piece of
/// the same snapshot from the same leader in the same term, or the transfer is void.
/// </summary>
internal sealed class IncomingSnapshot(InstallSnapshot first)
{
    private readonly List<byte> _bytes = new();

    public int From { get; } = first.From;
    public long LeaderTerm { get; } = first.Term;
    public long Index { get; } = first.LastIncludedIndex;
    public long Term { get; } = first.LastIncludedTerm;
    public bool Complete { get; private set; }
    public byte[] Data => _bytes.ToArray();

    /// <summary>True if <paramref name="chunk"/> is the next piece of this snapshot (and then keeps it).</summary>
    public bool TryAdd(InstallSnapshot chunk)
    {
        if (Complete || chunk.From != From || chunk.Term != LeaderTerm || chunk.LastIncludedIndex != Index
            || chunk.LastIncludedTerm != Term || chunk.Offset != _bytes.Count)
            return false;
        _bytes.AddRange(chunk.Data);
        Complete = chunk.Done;
        return true;
    }
}
