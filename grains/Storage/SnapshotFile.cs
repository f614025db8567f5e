using System.Buffers.Binary;
using System.IO.Hashing;

namespace RaftOrleans.Storage;

/// <summary>
/// The node's one snapshot record, `snapshot.bin`: index (i64), term (i64), CRC-32 of the data (u32), data, where
/// the data is empty since the state lives in the state machine's engine (a file with data was written by a
/// version that kept the state here, and is refused). Written to a temporary file, fsynced and renamed over the
/// old one, so a crash leaves either the old or the new snapshot.
/// </summary>
internal static class SnapshotFile
{
    public const string Name = "snapshot.bin";
    private const int HeaderSize = 20;

    public static StoredSnapshot? TryRead(string directory)
    {
        var path = Path.Combine(directory, Name);
        if (!File.Exists(path)) return null;
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < HeaderSize) throw new StorageCorruptedException(path, 0, "snapshot header is incomplete");
        var index = BinaryPrimitives.ReadInt64LittleEndian(bytes);
        var term = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(8));
        var checksum = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(16));
        var data = bytes.AsSpan(HeaderSize);
        if (Crc32.HashToUInt32(data) != checksum) throw new StorageCorruptedException(path, HeaderSize, "snapshot checksum mismatch");
        if (data.Length > 0)
            throw new StorageCorruptedException(path, HeaderSize, "the snapshot holds the state itself, as versions before the " +
                                                                  "state engine wrote it; this version keeps the state in the engine (state/)");
        return new StoredSnapshot(index, term);
    }

    public static void Write(string directory, StoredSnapshot snapshot, bool fsync)
    {
        Span<byte> header = stackalloc byte[HeaderSize];
        BinaryPrimitives.WriteInt64LittleEndian(header, snapshot.Index);
        BinaryPrimitives.WriteInt64LittleEndian(header[8..], snapshot.Term);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], Crc32.HashToUInt32(ReadOnlySpan<byte>.Empty));
        Durable.ReplaceFile(Path.Combine(directory, Name), header, fsync);
    }
}
