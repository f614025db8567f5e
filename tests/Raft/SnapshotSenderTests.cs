using RaftOrleans.Raft;
using RaftOrleans.Replica;
using Xunit;

namespace RaftOrleans.Tests.Raft;

/// <summary>
/// The leader's side of a snapshot transfer in the replica: chunk after chunk as each is answered, and the index of
/// every transfer under way, which the replica keeps its log back to (so the follower goes on from the log after it).
/// </summary>
public class SnapshotSenderTests
{
    private readonly List<(RaftMessage Request, Action<RaftMessage?> Answered)> _calls = [];
    private readonly SnapshotSender _sender;

    public SnapshotSenderTests() =>
        _sender = new SnapshotSender(new RecordingTransport(_calls), chunkBytes: 1, readFailed: (_, error) => throw error);

    [Fact]
    public void A_transfer_counts_as_under_way_until_its_last_chunk_is_answered()
    {
        Assert.Null(_sender.OldestIndexInTransfer);

        _sender.Start(Request(to: 2, index: 100), new Snapshot(chunks: 2), answered: _ => true);
        Assert.Equal(100, _sender.OldestIndexInTransfer);

        AnswerLast(done: false);
        var last = Assert.IsType<InstallSnapshot>(_calls[^1].Request);
        Assert.True(last.Done);
        // The follower is installing the snapshot now: its log must still be there when it asks for what follows.
        Assert.Equal(100, _sender.OldestIndexInTransfer);

        AnswerLast(done: true);
        Assert.Null(_sender.OldestIndexInTransfer);
        Assert.Equal(2, _calls.Count);
    }

    [Fact]
    public void The_oldest_of_several_transfers_counts_and_a_lost_chunk_ends_its_transfer()
    {
        _sender.Start(Request(to: 2, index: 100), new Snapshot(chunks: 3), answered: _ => true);
        _sender.Start(Request(to: 3, index: 250), new Snapshot(chunks: 3), answered: _ => true);
        Assert.Equal(100, _sender.OldestIndexInTransfer);

        _calls[0].Answered(null); // follower 2's chunk was lost: the core will ask for a new transfer
        Assert.Equal(250, _sender.OldestIndexInTransfer);

        _sender.Clear();
        Assert.Null(_sender.OldestIndexInTransfer);
    }

    private void AnswerLast(bool done)
    {
        var request = (InstallSnapshot)_calls[^1].Request;
        _calls[^1].Answered(new InstallSnapshotReply
        {
            From = request.To, To = request.From, Term = request.Term, Done = done, MatchIndex = done ? request.LastIncludedIndex : 0,
        });
    }

    private static InstallSnapshot Request(int to, long index) => new()
    {
        From = 1, To = to, Term = 3, LastIncludedIndex = index, LastIncludedTerm = 2, Config = new ClusterConfig([1, 2, 3], []),
        Offset = 0, Data = [], Done = true,
    };

    private sealed class RecordingTransport(List<(RaftMessage, Action<RaftMessage?>)> calls) : IReplicaTransport
    {
        public void Call(RaftMessage request, Action<RaftMessage?> answered) => calls.Add((request, answered));
    }

    /// <summary>A snapshot of <c>chunks</c> one-byte chunks.</summary>
    private sealed class Snapshot(int chunks) : IStateSnapshot
    {
        public AppliedPoint Point => new(100, 2);

        public ISnapshotReader OpenReader() => new Reader(chunks);

        public void Dispose()
        {
        }

        private sealed class Reader(int chunks) : ISnapshotReader
        {
            private int _sent;

            public (byte[] Chunk, bool Last) Next(int maxBytes) => ([(byte)++_sent], _sent == chunks);

            public void Dispose()
            {
            }
        }
    }
}
