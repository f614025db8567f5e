using System.Text;

namespace RaftOrleans.Kv;

/// <summary>
/// The bytes of a state-machine snapshot: the whole map and the whole session table, so that a node
/// restored from it answers retries exactly as the nodes that applied the log did. Our own layout
/// (BinaryWriter, little-endian, length-prefixed UTF-8 strings), versioned by its first byte.
/// </summary>
public static class KvSnapshotCodec
{
    private const byte FormatVersion = 1;

    public static byte[] Encode(IReadOnlyDictionary<string, string> data, IReadOnlyDictionary<Guid, ClientSession> sessions)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(FormatVersion);
            writer.Write(data.Count);
            foreach (var (key, value) in data)
            {
                writer.Write(key);
                writer.Write(value);
            }
            writer.Write(sessions.Count);
            foreach (var (client, session) in sessions)
            {
                writer.Write(client.ToByteArray());
                writer.Write(session.LastSequence);
                WriteResult(writer, session.LastResult);
            }
        }
        return stream.ToArray();
    }

    public static (Dictionary<string, string> Data, Dictionary<Guid, ClientSession> Sessions) Decode(byte[] snapshot)
    {
        using var reader = new BinaryReader(new MemoryStream(snapshot), Encoding.UTF8);
        try
        {
            var version = reader.ReadByte();
            if (version != FormatVersion) throw new FormatException($"unknown KV snapshot format version {version}");
            var count = reader.ReadInt32();
            var data = new Dictionary<string, string>(count, StringComparer.Ordinal);
            for (var i = 0; i < count; i++) data.Add(reader.ReadString(), reader.ReadString());
            var sessionCount = reader.ReadInt32();
            var sessions = new Dictionary<Guid, ClientSession>(sessionCount);
            for (var i = 0; i < sessionCount; i++)
            {
                var client = new Guid(reader.ReadBytes(16));
                sessions.Add(client, new ClientSession(reader.ReadInt64(), ReadResult(reader)));
            }
            if (reader.BaseStream.Position != snapshot.Length) throw new FormatException("trailing bytes after the KV snapshot");
            return (data, sessions);
        }
        catch (EndOfStreamException)
        {
            throw new FormatException("the KV snapshot is truncated");
        }
    }

    private static void WriteResult(BinaryWriter writer, KvResult result)
    {
        writer.Write((byte)result.Status);
        WriteOptional(writer, result.Value);
        writer.Write(result.LeaderHint ?? -1);
        WriteOptional(writer, result.Reason);
    }

    private static KvResult ReadResult(BinaryReader reader)
    {
        var status = (KvStatus)reader.ReadByte();
        var value = ReadOptional(reader);
        var hint = reader.ReadInt32();
        return new KvResult(status, value, hint < 0 ? null : hint, ReadOptional(reader));
    }

    private static void WriteOptional(BinaryWriter writer, string? text)
    {
        writer.Write(text is not null);
        if (text is not null) writer.Write(text);
    }

    private static string? ReadOptional(BinaryReader reader) => reader.ReadBoolean() ? reader.ReadString() : null;
}
