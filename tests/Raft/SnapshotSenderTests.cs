using RaftOrleans.Raft;
using RaftOrleans.Replica;
using Xunit;

namespace RaftOrleans.Tests.Raft;

/// <summary>
/// The leader's side of a snapshot transfer in the replica: chunk after chunk as each is answered, and the index of
/// every transfer under way, which the replica keeps its log back to (so the follower goes on from the log after it);
/// and the pace: chunks of all transfers together at most at the configured rate, the waiting ones sent by the timer.
/// </summary>
public class SnapshotSenderTests
{
    private static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(2);

    private readonly List<(RaftMessage Request, Action<RaftMessage?> Answered)> _calls = [];
    private readonly SnapshotSender _sender;
    private TimeSpan _now;

    public SnapshotSenderTests() => _sender = Sender(bytesPerSecond: 0);

    private SnapshotSender Sender(long bytesPerSecond) =>
        new(new RecordingTransport(_calls), new SnapshotPace(bytesPerSecond, chunkBytes: 1, RetryInterval, () => _now),
            readFailed: (_, error) => throw error);

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

    [Fact]
    public void Paced_chunks_of_all_transfers_go_out_at_the_rate_in_the_order_they_became_ready()
    {
        var sender = Sender(bytesPerSecond: 10); // a one-byte chunk every 100 ms
        sender.Start(Request(to: 2, index: 100), new Snapshot(chunks: 3), answered: _ => true);
        Assert.Single(_calls); // the first chunk at once: nothing was sent before
        Assert.Null(sender.NextDueAt);

        AnswerLast(done: false); // answered at once, but the next chunk waits for its time
        Assert.Single(_calls);
        Assert.Equal(TimeSpan.FromMilliseconds(100), sender.NextDueAt);
        _now = TimeSpan.FromMilliseconds(99);
        sender.SendDue();
        Assert.Single(_calls);

        // A second transfer shares the rate: its first chunk queues behind the one already waiting.
        sender.Start(Request(to: 3, index: 250), new Snapshot(chunks: 2), answered: _ => true);
        Assert.Single(_calls);
        _now = TimeSpan.FromMilliseconds(100);
        sender.SendDue();
        Assert.Equal(2, _calls.Count); // one chunk per 100 ms, not both
        Assert.Equal(2, _calls[1].Request.To);

        _now = TimeSpan.FromMilliseconds(200);
        sender.SendDue();
        Assert.Equal(3, _calls.Count);
        Assert.Equal(3, _calls[2].Request.To);
        Assert.Null(sender.NextDueAt); // nothing waits: each transfer waits for an answer now
    }

    [Fact]
    public void A_waiting_chunk_of_an_ended_transfer_is_dropped_and_the_next_in_line_goes()
    {
        var sender = Sender(bytesPerSecond: 10);
        sender.Start(Request(to: 2, index: 100), new Snapshot(chunks: 3), answered: _ => true);
        AnswerLast(done: false); // follower 2's second chunk waits
        sender.Start(Request(to: 2, index: 300), new Snapshot(chunks: 3), answered: _ => true); // the core asked anew
        _now = TimeSpan.FromMilliseconds(100);
        sender.SendDue();
        var sent = Assert.IsType<InstallSnapshot>(_calls[^1].Request);
        Assert.Equal((300, 0), (sent.LastIncludedIndex, sent.Offset)); // the new transfer's first chunk, not the old one's second
        Assert.Equal(2, _calls.Count);

        AnswerLast(done: false);
        sender.Clear();
        Assert.Null(sender.NextDueAt);
        _now = TimeSpan.FromSeconds(10);
        sender.SendDue();
        Assert.Equal(2, _calls.Count);
    }

    [Fact]
    public void A_chunk_sent_a_little_late_keeps_the_schedule_and_one_sent_after_a_pause_starts_it_again()
    {
        var pace = new SnapshotPace(bytesPerSecond: 10, chunkBytes: 1, RetryInterval, () => _now); // 100 ms a byte
        pace.Sent(1);
        Assert.Equal(TimeSpan.FromMilliseconds(100), pace.NextAt);

        _now = TimeSpan.FromMilliseconds(107); // the timer fired 7 ms late
        pace.Sent(1);
        Assert.Equal(TimeSpan.FromMilliseconds(200), pace.NextAt); // not 207: lateness does not lower the rate

        _now = TimeSpan.FromMilliseconds(900); // idle since 200
        pace.Sent(1);
        Assert.Equal(TimeSpan.FromMilliseconds(1000), pace.NextAt); // no burst of the 700 ms not used
    }

    [Theory]
    [InlineData(0, 4_194_304, 4_194_304)] // unpaced: the size asked for
    [InlineData(8 * 1024 * 1024, 1_048_576, 1_048_576)] // 1 MB is an eighth of a second at 8 MB/s
    [InlineData(1024 * 1024, 1_048_576, 262_144)] // at 1 MB/s a chunk is cut to an eighth of the 2 s retry interval
    [InlineData(1, 1_048_576, 1)]
    public void A_paced_chunk_takes_at_most_an_eighth_of_the_retry_interval(long bytesPerSecond, int asked, int expected) =>
        Assert.Equal(expected, new SnapshotPace(bytesPerSecond, asked, RetryInterval, () => TimeSpan.Zero).ChunkBytes);

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
