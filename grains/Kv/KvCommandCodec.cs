using System.Buffers.Binary;
using System.Text;

namespace RaftOrleans.Kv;

/// <summary>
/// A request as the log carries it: the request, when the leader took it in (its wall clock, ms since the Unix
/// epoch) and the session lifetime the leader ran with. Both times travel in the entry so that every replica expires
/// the same sessions at the same entry, whatever its own clock or configuration says (Raft thesis 6.3).
/// Zero for both: an entry of format 1, written before sessions expired; it moves no clock and expires nothing.
/// </summary>
public readonly record struct KvCommand(KvRequest Request, long StampMs, long SessionLifetimeMs);

/// <summary>
/// Turns a <see cref="KvCommand"/> into the opaque bytes of a log entry and back. A fixed little-endian
/// layout of our own, so the log's format does not depend on a serializer's version:
/// version(1) op(1) client(16) seq(8) [version 2: stamp(8) lifetime(8)] keyLen(4) key valueLen(4, -1 = none) value.
/// Version 1 entries (no times) are still read, so a log written before sessions expired replays.
/// </summary>
public static class KvCommandCodec
{
    private const byte FormatVersion = 2;

    /// <summary>Where the key length starts in a version 2 command (tests build malformed commands from it).</summary>
    public const int KeyLengthOffset = 42;

    public static byte[] Encode(KvRequest request, long stampMs = 0, long sessionLifetimeMs = 0)
    {
        var keyBytes = Encoding.UTF8.GetByteCount(request.Key);
        var valueBytes = request.Value is null ? 0 : Encoding.UTF8.GetByteCount(request.Value);
        var buffer = new byte[KeyLengthOffset + 4 + keyBytes + 4 + valueBytes];
        var span = buffer.AsSpan();
        span[0] = FormatVersion;
        span[1] = (byte)request.Operation;
        request.ClientId.TryWriteBytes(span.Slice(2, 16));
        BinaryPrimitives.WriteInt64LittleEndian(span.Slice(18, 8), request.Sequence);
        BinaryPrimitives.WriteInt64LittleEndian(span.Slice(26, 8), stampMs);
        BinaryPrimitives.WriteInt64LittleEndian(span.Slice(34, 8), sessionLifetimeMs);
        BinaryPrimitives.WriteInt32LittleEndian(span.Slice(KeyLengthOffset, 4), keyBytes);
        Encoding.UTF8.GetBytes(request.Key, span.Slice(KeyLengthOffset + 4, keyBytes));
        var at = KeyLengthOffset + 4 + keyBytes;
        BinaryPrimitives.WriteInt32LittleEndian(span.Slice(at, 4), request.Value is null ? -1 : valueBytes);
        if (request.Value is not null) Encoding.UTF8.GetBytes(request.Value, span.Slice(at + 4, valueBytes));
        return buffer;
    }

    public static KvCommand Decode(ReadOnlySpan<byte> data)
    {
        var keyLengthAt = data.Length > 0 ? data[0] switch { 1 => 26, FormatVersion => KeyLengthOffset, _ => -1 } : -1;
        if (keyLengthAt < 0 || data.Length < keyLengthAt + 8)
            throw new FormatException($"not a KV command (length {data.Length}, version {(data.Length > 0 ? data[0] : -1)})");
        var op = (KvOperation)data[1];
        if (!Enum.IsDefined(op)) throw new FormatException($"unknown KV operation {data[1]}");
        var client = new Guid(data.Slice(2, 16));
        var seq = BinaryPrimitives.ReadInt64LittleEndian(data.Slice(18, 8));
        var (stamp, lifetime) = keyLengthAt == KeyLengthOffset
            ? (BinaryPrimitives.ReadInt64LittleEndian(data.Slice(26, 8)), BinaryPrimitives.ReadInt64LittleEndian(data.Slice(34, 8)))
            : (0L, 0L);
        var keyLen = BinaryPrimitives.ReadInt32LittleEndian(data.Slice(keyLengthAt, 4));
        var keyAt = keyLengthAt + 4;
        if (keyLen < 0 || (long)keyAt + keyLen + 4 > data.Length) throw new FormatException("KV command key length out of range");
        var key = Encoding.UTF8.GetString(data.Slice(keyAt, keyLen));
        var at = keyAt + keyLen;
        var valueLen = BinaryPrimitives.ReadInt32LittleEndian(data.Slice(at, 4));
        if (valueLen < -1 || at + 4L + Math.Max(valueLen, 0) != data.Length) throw new FormatException("KV command value length out of range");
        var value = valueLen < 0 ? null : Encoding.UTF8.GetString(data.Slice(at + 4, valueLen));
        return new KvCommand(new KvRequest(client, seq, op, key, value), stamp, lifetime);
    }
}
