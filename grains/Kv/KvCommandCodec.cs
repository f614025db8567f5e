using System.Buffers.Binary;
using System.Text;

namespace RaftOrleans.Kv;

/// <summary>
/// Turns a <see cref="KvRequest"/> into the opaque bytes of a log entry and back. A fixed little-endian
/// layout of our own, so the log's format does not depend on a serializer's version:
/// version(1) op(1) client(16) seq(8) keyLen(4) key valueLen(4, -1 = none) value.
/// </summary>
public static class KvCommandCodec
{
    private const byte FormatVersion = 1;

    public static byte[] Encode(KvRequest request)
    {
        var keyBytes = Encoding.UTF8.GetByteCount(request.Key);
        var valueBytes = request.Value is null ? 0 : Encoding.UTF8.GetByteCount(request.Value);
        var buffer = new byte[1 + 1 + 16 + 8 + 4 + keyBytes + 4 + valueBytes];
        var span = buffer.AsSpan();
        span[0] = FormatVersion;
        span[1] = (byte)request.Operation;
        request.ClientId.TryWriteBytes(span.Slice(2, 16));
        BinaryPrimitives.WriteInt64LittleEndian(span.Slice(18, 8), request.Sequence);
        BinaryPrimitives.WriteInt32LittleEndian(span.Slice(26, 4), keyBytes);
        Encoding.UTF8.GetBytes(request.Key, span.Slice(30, keyBytes));
        var at = 30 + keyBytes;
        BinaryPrimitives.WriteInt32LittleEndian(span.Slice(at, 4), request.Value is null ? -1 : valueBytes);
        if (request.Value is not null) Encoding.UTF8.GetBytes(request.Value, span.Slice(at + 4, valueBytes));
        return buffer;
    }

    public static KvRequest Decode(ReadOnlySpan<byte> data)
    {
        if (data.Length < 34 || data[0] != FormatVersion)
            throw new FormatException($"not a KV command (length {data.Length}, version {(data.Length > 0 ? data[0] : -1)})");
        var op = (KvOperation)data[1];
        if (!Enum.IsDefined(op)) throw new FormatException($"unknown KV operation {data[1]}");
        var client = new Guid(data.Slice(2, 16));
        var seq = BinaryPrimitives.ReadInt64LittleEndian(data.Slice(18, 8));
        var keyLen = BinaryPrimitives.ReadInt32LittleEndian(data.Slice(26, 4));
        if (keyLen < 0 || 30L + keyLen + 4 > data.Length) throw new FormatException("KV command key length out of range");
        var key = Encoding.UTF8.GetString(data.Slice(30, keyLen));
        var at = 30 + keyLen;
        var valueLen = BinaryPrimitives.ReadInt32LittleEndian(data.Slice(at, 4));
        if (valueLen < -1 || at + 4L + Math.Max(valueLen, 0) != data.Length) throw new FormatException("KV command value length out of range");
        var value = valueLen < 0 ? null : Encoding.UTF8.GetString(data.Slice(at + 4, valueLen));
        return new KvRequest(client, seq, op, key, value);
    }
}
