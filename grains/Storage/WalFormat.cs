using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using RaftOrleans.Raft;

namespace RaftOrleans.Storage;

/// <summary>
/// The byte layout of one write-ahead log record: length (u32, of type + payload), CRC-32 (u32, of type +
/// payload), type (u8), payload. The length lets a reader skip, the checksum tells a torn or damaged record.
/// In a silo's shared log (<see cref="SiloLog"/>) every payload starts with the replica it belongs to: group name
/// length (u8), group name (ASCII, as raft.toml allows), node id (i32). A node's own log of earlier versions
/// (<see cref="LegacyNodeLog"/>) has no such tag.
/// </summary>
internal static class WalFormat
{
    public const int HeaderSize = 8;

    /// <summary>Larger than any record we write (a record is one entry); a bigger length is damage, not data.</summary>
    public const int MaxRecordSize = 64 * 1024 * 1024;

    public static void WriteHardState(IBufferWriter<byte> output, HardState state, ReplicaId? replica = null)
    {
        var payload = Begin(output, WalRecordType.HardState, 12, replica, out var span);
        BinaryPrimitives.WriteInt64LittleEndian(payload, state.Term);
        BinaryPrimitives.WriteInt32LittleEndian(payload[8..], state.VotedFor ?? -1);
        Finish(output, span);
    }

    public static void WriteEntry(IBufferWriter<byte> output, LogEntry entry, ReplicaId? replica = null)
    {
        var type = entry.IsConfig ? WalRecordType.ConfigEntry : WalRecordType.Entry;
        var payload = Begin(output, type, 16 + entry.Data.Length, replica, out var span);
        BinaryPrimitives.WriteInt64LittleEndian(payload, entry.Index);
        BinaryPrimitives.WriteInt64LittleEndian(payload[8..], entry.Term);
        entry.Data.CopyTo(payload[16..]);
        Finish(output, span);
    }

    public static void WriteSnapshotMarker(IBufferWriter<byte> output, long index, long term, bool discardLog, ReplicaId? replica = null)
    {
        var payload = Begin(output, WalRecordType.SnapshotMarker, 17, replica, out var span);
        BinaryPrimitives.WriteInt64LittleEndian(payload, index);
        BinaryPrimitives.WriteInt64LittleEndian(payload[8..], term);
        payload[16] = discardLog ? (byte)1 : (byte)0;
        Finish(output, span);
    }

    public static uint Checksum(ReadOnlySpan<byte> typeAndPayload) => Crc32.HashToUInt32(typeAndPayload);

    /// <summary>Reads the replica a shared log's record belongs to; the payload proper starts <paramref name="tagLength"/> bytes in.</summary>
    public static ReplicaId ReadReplica(ReadOnlySpan<byte> payload, out int tagLength)
    {
        var nameLength = payload[0];
        if (payload.Length < 1 + nameLength + 4) throw new FormatException("a record's replica tag is cut short");
        var group = Encoding.ASCII.GetString(payload.Slice(1, nameLength));
        var node = BinaryPrimitives.ReadInt32LittleEndian(payload[(1 + nameLength)..]);
        tagLength = 1 + nameLength + 4;
        return new ReplicaId(group, node);
    }

    private static Span<byte> Begin(IBufferWriter<byte> output, WalRecordType type, int payloadLength, ReplicaId? replica, out Span<byte> record)
    {
        var tagLength = replica is { } tagged ? 1 + Encoding.ASCII.GetByteCount(tagged.Group) + 4 : 0;
        var total = HeaderSize + 1 + tagLength + payloadLength;
        record = output.GetSpan(total)[..total];
        BinaryPrimitives.WriteUInt32LittleEndian(record, (uint)(1 + tagLength + payloadLength));
        record[HeaderSize] = (byte)type;
        var payload = record[(HeaderSize + 1)..];
        if (replica is { } owner)
        {
            if (tagLength - 5 > byte.MaxValue) throw new ArgumentException($"group name '{owner.Group}' is too long for the log");
            payload[0] = (byte)(tagLength - 5);
            Encoding.ASCII.GetBytes(owner.Group, payload[1..]);
            BinaryPrimitives.WriteInt32LittleEndian(payload[(tagLength - 4)..], owner.Node);
        }
        return payload[tagLength..];
    }

    private static void Finish(IBufferWriter<byte> output, Span<byte> record)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(record[4..], Checksum(record[HeaderSize..]));
        output.Advance(record.Length);
    }
}
