using System.Diagnostics;
using RaftOrleans.Raft;

namespace RaftOrleans.Replica;

/// <summary>
/// Streams a leader's snapshot to followers: one call per chunk, each chunk read from the state machine's view
/// when the previous one is answered (so a transfer holds one chunk in memory, and the node applies meanwhile), at
/// most one transfer per follower (a newer one, when the core asks again, ends the older at its next step).
/// The core names only the snapshot to send (an <see cref="InstallSnapshot"/> without bytes); the bytes come from
/// the view the replica took at that index. <c>timed</c> hears how long each chunk took to read (step, start timestamp).
/// <para>
/// Chunks go out at the <see cref="SnapshotPace"/>: one whose time has not come waits, in the order they became
/// ready, until the host's timer calls <see cref="SendDue"/> (the replica asks for a tick at <see cref="NextDueAt"/>).
/// </para>
/// </summary>
internal sealed class SnapshotSender(
    IReplicaTransport transport, SnapshotPace pace, Action<int, Exception> readFailed, Action<string, long>? timed = null)
{
    private readonly Dictionary<int, (long Number, long Index, ISnapshotReader Reader)> _transfers = new(); // per follower: the transfer that may run
    private readonly Queue<(int Follower, long Number, Action Send)> _waiting = new(); // next chunks waiting for the pace
    private long _lastNumber; // every transfer its own number, so a stale answer can never end a newer transfer

    /// <summary>
    /// Starts sending <paramref name="snapshot"/> as asked by <paramref name="request"/>. Each chunk's reply goes to
    /// <paramref name="answered"/> (on the replica's turn), which steps it into the core and says whether the
    /// transfer may go on (this life of the node goes on and it still leads the request's term).
    /// </summary>
    public void Start(InstallSnapshot request, IStateSnapshot snapshot, Func<RaftMessage, bool> answered)
    {
        if (_transfers.Remove(request.To, out var older)) older.Reader.Dispose();
        var number = ++_lastNumber;
        var reader = snapshot.OpenReader();
        _transfers[request.To] = (number, request.LastIncludedIndex, reader);
        WhenPaced(request.To, number, () => SendChunk(request, reader, offset: 0, number, answered));
    }

    /// <summary>When a chunk waits for the pace, the time it may go; null when none waits.</summary>
    public TimeSpan? NextDueAt => _waiting.Count > 0 ? pace.NextAt : null;

    /// <summary>The host's timer: the chunks whose time has come go out (those of ended transfers are dropped).</summary>
    public void SendDue()
    {
        while (_waiting.Count > 0 && pace.MaySendNow)
        {
            var (follower, number, send) = _waiting.Dequeue();
            if (Current(follower, number)) send();
        }
    }

    /// <summary>
    /// The lowest snapshot index of the transfers under way, or null when none is: the follower that receives it goes
    /// on from the leader's log after that index, so the log must still hold it when the transfer ends.
    /// </summary>
    public long? OldestIndexInTransfer => _transfers.Count == 0 ? null : _transfers.Values.Min(t => t.Index);

    /// <summary>Ends every transfer (the node crashed, restarted or stopped): their answers are ignored.</summary>
    public void Clear()
    {
        foreach (var (_, _, reader) in _transfers.Values) reader.Dispose();
        _transfers.Clear();
        _waiting.Clear();
    }

    private bool Current(int follower, long number) => _transfers.TryGetValue(follower, out var t) && t.Number == number;

    /// <summary>Sends a chunk now if the pace allows and no other waits before it; else it waits its turn.</summary>
    private void WhenPaced(int follower, long number, Action send)
    {
        if (_waiting.Count == 0 && pace.MaySendNow) send();
        else _waiting.Enqueue((follower, number, send));
    }

    private void SendChunk(InstallSnapshot request, ISnapshotReader reader, long offset, long number, Func<RaftMessage, bool> answered)
    {
        byte[] data;
        bool last;
        try
        {
            var started = Stopwatch.GetTimestamp();
            (data, last) = reader.Next(pace.ChunkBytes);
            timed?.Invoke("reading a snapshot chunk", started); // on the leader's turn, like every step here
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            // The view could not be read (a damaged table file): this transfer ends, the core asks again later,
            // and the node's own state is untouched. Said once per transfer, not lost in a discarded task.
            End(request.To, number);
            readFailed(request.To, error);
            return;
        }
        pace.Sent(data.Length);
        var chunk = request with { Offset = offset, Data = data, Done = last };
        // After the last chunk too, the transfer stays on the books until its answer: the follower installs the
        // snapshot meanwhile, and then goes on from the log after its index (see OldestIndexInTransfer).
        transport.Call(chunk, reply =>
        {
            // A lost chunk ends the transfer (the core asks for a new one); so does an answer that the follower
            // needs no more (it holds the snapshot's index already, or took the whole of it).
            if (reply is null || !answered(reply) || last || reply is InstallSnapshotReply { Done: true } || !Current(request.To, number))
            {
                End(request.To, number);
                return;
            }
            WhenPaced(request.To, number, () => SendChunk(request, reader, offset + data.Length, number, answered));
        });
    }

    private void End(int follower, long number)
    {
        if (!Current(follower, number)) return;
        _transfers.Remove(follower, out var transfer);
        transfer.Reader.Dispose();
    }
}
