using System.Buffers.Binary;
using System.Text;

namespace RaftOrleans.Kv;

/// <summary>
/// How the KV state lies in its engine (one ordered byte map): each key under 'd' + its UTF-8 bytes with its value's
/// UTF-8 bytes; each client's session under 's' + its id (16 bytes); and one meta record under 'm' with the applied
/// index and term, the number of keys, the state's digest, and the session clock (the latest leader stamp applied,
/// and when sessions are next swept for expiry); and under 'c' the Raft cluster configuration last applied (kept with the
/// state so that it is in every snapshot: the log entry that carried it may be compacted away). The meta record is written in the same atomic write
/// as the changes of the entries it counts, which is what makes the applied index never run ahead of the data.
/// Little-endian; the meta record starts with a format version.
/// </summary>
public static class KvRecords
{
    private const byte DataPrefix = (byte)'d';
    /// <summary>The first byte of every session record's key: the range the expiry sweep reads.</summary>
    public const byte SessionPrefix = (byte)'s';

    private const byte MetaVersion = 2;
    private const int MetaLength = 49;
    private const int MetaLengthVersion1 = 33;

    public static readonly byte[] MetaKey = "m"u8.ToArray();

    /// <summary>The Raft configuration applied last (the bytes of its log entry); absent until the first change.</summary>
    public static readonly byte[] ConfigKey = "c"u8.ToArray();

    public static byte[] DataKey(string key)
    {
        var bytes = new byte[1 + Encoding.UTF8.GetByteCount(key)];
        bytes[0] = DataPrefix;
        Encoding.UTF8.GetBytes(key, bytes.AsSpan(1));
        return bytes;
    }

    public static byte[] SessionKey(Guid client)
    {
        var bytes = new byte[17];
        bytes[0] = SessionPrefix;
        client.TryWriteBytes(bytes.AsSpan(1));
        return bytes;
    }

    public static byte[] EncodeValue(string value) => Encoding.UTF8.GetBytes(value);

    public static string DecodeValue(byte[] value) => Encoding.UTF8.GetString(value);

    public static byte[] EncodeSession(ClientSession session)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(session.LastSequence);
            var result = session.LastResult;
            writer.Write((byte)result.Status);
            WriteOptional(writer, result.Value);
            writer.Write(result.LeaderHint ?? -1);
            WriteOptional(writer, result.Reason);
            writer.Write(session.LastActiveMs);
        }
        return stream.ToArray();
    }

    public static ClientSession DecodeSession(byte[] bytes)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes), Encoding.UTF8);
        try
        {
            var sequence = reader.ReadInt64();
            var status = (KvStatus)reader.ReadByte();
            var value = ReadOptional(reader);
            var hint = reader.ReadInt32();
            var result = new KvResult(status, value, hint < 0 ? null : hint, ReadOptional(reader));
            // Written before sessions expired: no time, so it is idle since the epoch and goes at the first sweep.
            var lastActive = reader.BaseStream.Position < reader.BaseStream.Length ? reader.ReadInt64() : 0;
            return new ClientSession(sequence, result, lastActive);
        }
        catch (EndOfStreamException)
        {
            throw new FormatException("a client session record is truncated");
        }
    }

    public static byte[] EncodeMeta(KvMeta meta)
    {
        var bytes = new byte[MetaLength];
        bytes[0] = MetaVersion;
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(1), meta.Index);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(9), meta.Term);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(17), meta.Count);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(25), meta.Digest);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(33), meta.ClockMs);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(41), meta.NextSweepMs);
        return bytes;
    }

    /// <summary>The meta record, or the empty state's when there is none (a new engine).</summary>
    public static KvMeta DecodeMeta(byte[]? bytes)
    {
        if (bytes is null) return KvMeta.Empty;
        var version1 = bytes.Length == MetaLengthVersion1 && bytes[0] == 1; // before sessions expired: no clock yet
        if (!version1 && (bytes.Length != MetaLength || bytes[0] != MetaVersion))
            throw new FormatException($"the state's meta record is not of format version {MetaVersion} ({bytes.Length} bytes, version {(bytes.Length > 0 ? bytes[0] : -1)})");
        return new KvMeta(
            BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(1)),
            BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(9)),
            BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(17)),
            BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(25)),
            version1 ? 0 : BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(33)),
            version1 ? 0 : BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(41)));
    }

    /// <summary>Decodes a whole state from its pairs (for checks and tests: it reads everything).</summary>
    public static KvContents Decode(IEnumerable<KeyValuePair<byte[], byte[]>> pairs)
    {
        var data = new Dictionary<string, string>(StringComparer.Ordinal);
        var sessions = new Dictionary<Guid, ClientSession>();
        var meta = KvMeta.Empty;
        foreach (var (key, value) in pairs)
        {
            if (key.Length > 0 && key[0] == DataPrefix) data.Add(Encoding.UTF8.GetString(key.AsSpan(1)), DecodeValue(value));
            else if (key.Length == 17 && key[0] == SessionPrefix) sessions.Add(new Guid(key.AsSpan(1)), DecodeSession(value));
            else if (key.AsSpan().SequenceEqual(MetaKey)) meta = DecodeMeta(value);
            else if (key.AsSpan().SequenceEqual(ConfigKey)) continue; // Raft's, not the map's
            else throw new FormatException($"an unknown record in the KV state (key {Convert.ToHexString(key)})");
        }
        return new KvContents(data, sessions, meta);
    }

    private static void WriteOptional(BinaryWriter writer, string? text)
    {
        writer.Write(text is not null);
        if (text is not null) writer.Write(text);
    }

    private static string? ReadOptional(BinaryReader reader) => reader.ReadBoolean() ? reader.ReadString() : null;
}

/// <summary>
/// The KV state's meta record: the last entry applied, the number of keys, the digest (see <see cref="KvStateDigest"/>),
/// the session clock (the latest leader stamp applied; it never goes back) and when sessions are next swept.
/// </summary>
public readonly record struct KvMeta(long Index, long Term, long Count, ulong Digest, long ClockMs = 0, long NextSweepMs = 0)
{
    public static readonly KvMeta Empty = new(0, 0, 0, 0);
}

/// <summary>A whole KV state, decoded.</summary>
public sealed record KvContents(Dictionary<string, string> Data, Dictionary<Guid, ClientSession> Sessions, KvMeta Meta);
