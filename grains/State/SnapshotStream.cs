using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;

namespace RaftOrleans.State;

/// <summary>
/// The bytes of a state snapshot in transfer: a stream of records cut into chunks at record boundaries (a chunk
/// decodes on its own). First a header (format, applied index and term), then every pair of the engine's view in
/// key order, then a trailer with the number of pairs and an XxHash64 over all of them, so that a receiver
/// notices a transfer that lost, damaged or repeated anything before it replaces its state.
/// Layout, little-endian: header 'H' version(1) index(8) term(8); pair 'P' keyLength(4) key valueLength(4) value;
/// trailer 'T' pairs(8) hash(8).
/// </summary>
internal static class SnapshotStream
{
    public const byte Version = 1;
    public const byte Header = (byte)'H';
    public const byte Pair = (byte)'P';
    public const byte Trailer = (byte)'T';

    public const int HeaderBytes = 18; // type, version, index, term
    public const int PairOverheadBytes = 9; // type, key length, value length
    public const int TrailerBytes = 17; // type, pairs, hash

    public static void WriteHeader(ArrayBufferWriter<byte> output, long index, long term)
    {
        var span = output.GetSpan(HeaderBytes);
        span[0] = Header;
        span[1] = Version;
        BinaryPrimitives.WriteInt64LittleEndian(span[2..], index);
        BinaryPrimitives.WriteInt64LittleEndian(span[10..], term);
        output.Advance(HeaderBytes);
    }

    public static void WritePair(ArrayBufferWriter<byte> output, byte[] key, byte[] value, XxHash64 hash)
    {
        var length = PairOverheadBytes + key.Length + value.Length;
        var span = output.GetSpan(length)[..length];
        span[0] = Pair;
        BinaryPrimitives.WriteInt32LittleEndian(span[1..], key.Length);
        key.CopyTo(span[5..]);
        BinaryPrimitives.WriteInt32LittleEndian(span[(5 + key.Length)..], value.Length);
        value.CopyTo(span[(9 + key.Length)..]);
        hash.Append(span[1..]); // lengths included, so no two different sequences of pairs hash alike by shifting bytes
        output.Advance(length);
    }

    public static void WriteTrailer(ArrayBufferWriter<byte> output, long pairs, ulong hash)
    {
        var span = output.GetSpan(TrailerBytes);
        span[0] = Trailer;
        BinaryPrimitives.WriteInt64LittleEndian(span[1..], pairs);
        BinaryPrimitives.WriteUInt64LittleEndian(span[9..], hash);
        output.Advance(TrailerBytes);
    }
}
