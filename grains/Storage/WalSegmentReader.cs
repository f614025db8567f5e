using System.Buffers.Binary;

namespace RaftOrleans.Storage;

/// <summary>
/// Reads the records of one segment file in order, up to the zeros reserved after them. A damaged record with
/// nothing but zeros after it is a torn write (the process died mid-write, before the flush that would have
/// made it count): the reader reports where the good data ends. A damaged record with data after it is
/// corruption: it throws.
/// </summary>
internal sealed class WalSegmentReader
{
    private readonly string _path;
    private readonly byte[] _bytes;
    private int _offset;

    /// <param name="length">Read only this many bytes (a segment being written: where its records end now), or all.</param>
    public WalSegmentReader(string path, long? length = null)
    {
        _path = path;
        if (length is { } end)
        {
            using var file = File.OpenRead(path);
            _bytes = new byte[end];
            file.ReadExactly(_bytes);
        }
        else _bytes = File.ReadAllBytes(path);
    }

    /// <summary>Where the last complete, intact record ends: the length to truncate a torn tail to.</summary>
    public long GoodLength => _offset;

    /// <summary>True if the file ended in a torn record (only possible after <see cref="TryRead"/> returned false).</summary>
    public bool TornTail { get; private set; }

    /// <summary>Reads the next record; false at the end of the good data.</summary>
    public bool TryRead(out WalRecordType type, out ReadOnlyMemory<byte> payload)
    {
        type = default;
        payload = default;
        // Zeros to the end: the space a segment reserves for records not written yet (or what a file system
        // leaves where an unfinished write would have gone). Either way the records end here.
        if (AllZerosFrom(_offset)) return false;
        var remaining = _bytes.Length - _offset;
        if (remaining < WalFormat.HeaderSize + 1) return Torn();

        var length = BinaryPrimitives.ReadUInt32LittleEndian(_bytes.AsSpan(_offset));
        var checksum = BinaryPrimitives.ReadUInt32LittleEndian(_bytes.AsSpan(_offset + 4));
        if (length == 0) return Corrupt("record length 0");
        if (length > WalFormat.MaxRecordSize)
        {
            return Corrupt($"record length {length} is larger than any record written");
        }
        if (length > remaining - WalFormat.HeaderSize) return Torn();

        var body = _bytes.AsMemory(_offset + WalFormat.HeaderSize, (int)length);
        if (WalFormat.Checksum(body.Span) != checksum)
        {
            // The last record, half written when the process died (only reserved zeros after it): torn.
            return AllZerosFrom(_offset + WalFormat.HeaderSize + (int)length) ? Torn() : Corrupt("checksum mismatch");
        }
        type = (WalRecordType)body.Span[0];
        if (!Enum.IsDefined(type)) return Corrupt($"unknown record type {body.Span[0]}");
        payload = body[1..];
        _offset += WalFormat.HeaderSize + (int)length;
        return true;
    }

    private bool AllZerosFrom(int offset) => _bytes.AsSpan(offset).IndexOfAnyExcept((byte)0) < 0;

    private bool Torn()
    {
        TornTail = true;
        return false;
    }

    private bool Corrupt(string reason) => throw new StorageCorruptedException(_path, _offset, reason);
}
