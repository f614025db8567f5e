using RaftOrleans.Raft;

namespace RaftOrleans.Replica;

/// <summary>
/// Streams a leader's snapshot to followers: one call per chunk, the next once the previous one is answered,
/// at most one transfer per follower (a newer one, when the core asks again, ends the older at its next step).
/// The core names only the snapshot to send (an <see cref="InstallSnapshot"/> without bytes); the bytes are
/// the replica's latest saved or installed snapshot.
/// </summary>
internal sealed class SnapshotSender(IReplicaTransport transport, int chunkBytes)
{
    private readonly Dictionary<int, int> _transfers = new(); // per follower: the number of the transfer that may run

    /// <summary>
    /// Starts sending <paramref name="data"/> as asked by <paramref name="request"/>. Each chunk's reply goes to
    /// <paramref name="answered"/> (on the replica's turn), which steps it into the core and says whether the
    /// transfer may go on (this life of the node goes on and it still leads the request's term).
    /// </summary>
    public void Start(InstallSnapshot request, byte[] data, Func<RaftMessage, bool> answered)
    {
        var transfer = _transfers[request.To] = _transfers.GetValueOrDefault(request.To) + 1;
        SendChunk(request, data, offset: 0, transfer, answered);
    }

    /// <summary>Forgets every transfer (the node crashed or restarted): their answers end them.</summary>
    public void Clear() => _transfers.Clear();

    private void SendChunk(InstallSnapshot request, byte[] data, int offset, int transfer, Func<RaftMessage, bool> answered)
    {
        var length = Math.Min(chunkBytes, data.Length - offset);
        var chunk = request with
        {
            Offset = offset,
            Data = data.AsSpan(offset, length).ToArray(),
            Done = offset + length == data.Length,
        };
        transport.Call(chunk, reply =>
        {
            if (reply is null || !answered(reply)) return;
            if (chunk.Done || _transfers.GetValueOrDefault(request.To) != transfer) return;
            SendChunk(request, data, offset + length, transfer, answered);
        });
    }
}
