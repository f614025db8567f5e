using System.Buffers;
using System.IO.Hashing;
using RaftOrleans.Replica;

namespace RaftOrleans.State;

/// <summary>
/// A state snapshot that is an engine's view (see <see cref="IKvEngine.View"/>): taking it copies nothing, and each
/// transfer scans the view into <see cref="SnapshotStream"/> chunks as the follower asks for them, while the node
/// goes on applying to the live engine. The cost of a snapshot no longer grows with the writes since the last one.
/// </summary>
internal sealed class EngineSnapshot(IKvEngineView view, AppliedPoint point) : IStateSnapshot
{
    public AppliedPoint Point { get; } = point;

    public ISnapshotReader OpenReader() => new Reader(view.Scan().GetEnumerator(), Point);

    public void Dispose() => view.Dispose();

    private sealed class Reader(IEnumerator<KeyValuePair<byte[], byte[]>> pairs, AppliedPoint point) : ISnapshotReader
    {
        private readonly XxHash64 _hash = new();
        private long _count;
        private bool _started;
        private bool _finished;

        public (byte[] Chunk, bool Last) Next(int maxBytes)
        {
            if (_finished) throw new InvalidOperationException("the snapshot was read to its end already");
            var output = new ArrayBufferWriter<byte>(Math.Min(maxBytes, 64 * 1024) + 64);
            if (!_started)
            {
                SnapshotStream.WriteHeader(output, point.Index, point.Term);
                _started = true;
            }
            while (output.WrittenCount < maxBytes)
            {
                if (!pairs.MoveNext())
                {
                    SnapshotStream.WriteTrailer(output, _count, _hash.GetCurrentHashAsUInt64());
                    _finished = true;
                    Dispose(); // the engine may release the view's files as soon as the last scan ends
                    return (output.WrittenSpan.ToArray(), true);
                }
                SnapshotStream.WritePair(output, pairs.Current.Key, pairs.Current.Value, _hash);
                _count++;
            }
            return (output.WrittenSpan.ToArray(), false);
        }

        public void Dispose() => pairs.Dispose();
    }
}
