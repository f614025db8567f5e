using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using RaftOrleans.Raft;

namespace RaftOrleans.Storage;

/// <summary>
/// The byte layout of one write-ahead log record: length (u32, of type + payload), CRC-32 (u32, of type +
/// payload), type (u8), payload. The length lets a reader skip, the checksum tells a torn or damaged record.
/// </summary>
internal static class WalFormat
{
    public const int HeaderSize = 8;

    /// <summary>Larger than any record we write (a record is one entry); a bigger length is damage, not data.</summary>
    public const int MaxRecordSize = 64 * 1024 * 1024;

    public static void WriteHardState(IBufferWriter<byte> output, HardState state)
    {
        var payload = Begin(output, WalRecordType.HardState, 12, out var span);
        BinaryPrimitives.WriteInt64LittleEndian(payload, state.Term);
        BinaryPrimitives.WriteInt32LittleEndian(payload[8..], state.VotedFor ?? -1);
        Finish(output, span);
    }

    public static void WriteEntry(IBufferWriter<byte> output, LogEntry entry)
    {
        var type = entry.IsConfig ? WalRecordType.ConfigEntry : WalRecordType.Entry;
        var payload = Begin(output, type, 16 + entry.Data.Length, out var span);
        BinaryPrimitives.WriteInt64LittleEndian(payload, entry.Index);
        BinaryPrimitives.WriteInt64LittleEndian(payload[8..], entry.Term);
        entry.Data.CopyTo(payload[16..]);
        Finish(output, span);
    }

    public static void WriteSnapshotMarker(IBufferWriter<byte> output, long index, long term, bool discardLog)
    {
        var payload = Begin(output, WalRecordType.SnapshotMarker, 17, out var span);
        BinaryPrimitives.WriteInt64LittleEndian(payload, index);
        BinaryPrimitives.WriteInt64LittleEndian(payload[8..], term);
        payload[16] = discardLog ? (byte)1 : (byte)0;
        Finish(output, span);
    }

    public static uint Checksum(ReadOnlySpan<byte> typeAndPayload) => Crc32.HashToUInt32(typeAndPayload);

    private static Span<byte> Begin(IBufferWriter<byte> output, WalRecordType type, int payloadLength, out Span<byte> record)
    {
        var total = HeaderSize + 1 + payloadLength;
        record = output.GetSpan(total)[..total];
        BinaryPrimitives.WriteUInt32LittleEndian(record, (uint)(1 + payloadLength));
        record[HeaderSize] = (byte)type;
        return record[(HeaderSize + 1)..];
    }

    private static void Finish(IBufferWriter<byte> output, Span<byte> record)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(record[4..], Checksum(record[HeaderSize..]));
        output.Advance(record.Length);
    }
}
