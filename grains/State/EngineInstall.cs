using System.Buffers.Binary;
using System.IO.Hashing;
using RaftOrleans.Replica;

namespace RaftOrleans.State;

/// <summary>
/// Receives <see cref="SnapshotStream"/> chunks into an engine's staging area (<see cref="IKvEngine.BeginReplace"/>)
/// as they arrive, so a snapshot of any size never sits in memory whole. The engine's contents change only at
/// <see cref="Commit"/>, once the header matched, every pair came and the trailer's count and hash agree.
/// <paramref name="onPair"/> sees every pair (the state machine looks for its own records there);
/// <paramref name="complete"/> runs when the trailer checks out and may still refuse the snapshot (a
/// <see cref="FormatException"/>: the last chunk is then refused, and the transfer with it);
/// <paramref name="committed"/> runs once the new state is in place.
/// </summary>
internal sealed class EngineInstall(
    KvEngineStaging staging, AppliedPoint point, Action<byte[], byte[]> onPair, Action complete, Action committed)
    : IStateInstall
{
    private readonly XxHash64 _hash = new();
    private long _pairs;
    private bool _headerSeen;
    private bool _trailerSeen;
    private bool _done;

    public void Write(ReadOnlySpan<byte> chunk)
    {
        while (!chunk.IsEmpty)
        {
            if (_trailerSeen) throw new FormatException("bytes after the snapshot's trailer");
            var type = chunk[0];
            if (!_headerSeen && type != SnapshotStream.Header) throw new FormatException("the snapshot does not start with its header");
            switch (type)
            {
                case SnapshotStream.Header:
                    if (_headerSeen) throw new FormatException("a second snapshot header");
                    Need(chunk, SnapshotStream.HeaderBytes);
                    if (chunk[1] != SnapshotStream.Version) throw new FormatException($"unknown snapshot format version {chunk[1]}");
                    var index = BinaryPrimitives.ReadInt64LittleEndian(chunk[2..]);
                    var term = BinaryPrimitives.ReadInt64LittleEndian(chunk[10..]);
                    if (index != point.Index || term != point.Term)
                        throw new FormatException($"the snapshot is of ({index},t{term}), not of {point} as announced");
                    _headerSeen = true;
                    chunk = chunk[SnapshotStream.HeaderBytes..];
                    break;
                case SnapshotStream.Pair:
                    Need(chunk, 5);
                    var keyLength = BinaryPrimitives.ReadInt32LittleEndian(chunk[1..]);
                    if (keyLength < 0) throw new FormatException("a negative key length");
                    Need(chunk, 9 + (long)keyLength);
                    var valueLength = BinaryPrimitives.ReadInt32LittleEndian(chunk[(5 + keyLength)..]);
                    if (valueLength < 0) throw new FormatException("a negative value length");
                    Need(chunk, (long)SnapshotStream.PairOverheadBytes + keyLength + valueLength); // in long: no wrap-around
                    var length = SnapshotStream.PairOverheadBytes + keyLength + valueLength;
                    _hash.Append(chunk[1..length]);
                    var key = chunk.Slice(5, keyLength).ToArray();
                    var value = chunk.Slice(9 + keyLength, valueLength).ToArray();
                    onPair(key, value);
                    try
                    {
                        staging.Put(key, value);
                    }
                    catch (ArgumentException)
                    {
                        throw new FormatException("the snapshot's pairs are not in ascending key order");
                    }
                    _pairs++;
                    chunk = chunk[length..];
                    break;
                case SnapshotStream.Trailer:
                    Need(chunk, SnapshotStream.TrailerBytes);
                    var pairs = BinaryPrimitives.ReadInt64LittleEndian(chunk[1..]);
                    var hash = BinaryPrimitives.ReadUInt64LittleEndian(chunk[9..]);
                    if (pairs != _pairs || hash != _hash.GetCurrentHashAsUInt64())
                        throw new FormatException($"the snapshot's trailer says {pairs} pairs with hash {hash:X16}; " +
                                                  $"{_pairs} arrived with hash {_hash.GetCurrentHashAsUInt64():X16}");
                    complete(); // the state machine checks what it received before the chunk is taken
                    _trailerSeen = true;
                    chunk = chunk[SnapshotStream.TrailerBytes..];
                    break;
                default:
                    throw new FormatException($"unknown snapshot record type {type}");
            }
        }
    }

    public void Commit()
    {
        if (_done) throw new InvalidOperationException("the snapshot was committed or discarded already");
        if (!_trailerSeen) throw new FormatException("the snapshot is incomplete (no trailer)");
        staging.Commit();
        _done = true;
        committed();
    }

    public void Dispose()
    {
        _done = true;
        staging.Dispose();
    }

    private static void Need(ReadOnlySpan<byte> chunk, long bytes)
    {
        if (chunk.Length < bytes) throw new FormatException("a snapshot record is cut off at the end of its chunk");
    }
}
