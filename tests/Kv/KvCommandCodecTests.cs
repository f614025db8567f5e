using System.Buffers.Binary;
using RaftOrleans.Kv;
using Xunit;

namespace RaftOrleans.Tests.Kv;

/// <summary>The log-entry encoding of KV commands: every request survives the trip; damaged bytes are refused.</summary>
public class KvCommandCodecTests
{
    private static readonly Guid Client = Guid.Parse("0a1b2c3d-4e5f-4607-8899-aabbccddeeff");

    public static TheoryData<KvRequest> Requests => new()
    {
        new KvRequest(Client, 1, KvOperation.Put, "key", "value"),
        new KvRequest(Client, 2, KvOperation.Put, "clé-ключ-鍵-🔑", "valeur — значение — 値 — 🎉"),
        new KvRequest(Client, 3, KvOperation.Put, "k", ""),
        new KvRequest(Client, 4, KvOperation.Get, "k"),
        new KvRequest(Client, 5, KvOperation.Delete, "k"),
        new KvRequest(Client, long.MaxValue, KvOperation.Put, "", new string('x', 70_000)),
        new KvRequest(Guid.Empty, 0, KvOperation.Get, ""),
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public void DecodeOfEncodeGivesBackTheSameRequest(KvRequest request)
    {
        var decoded = KvCommandCodec.Decode(KvCommandCodec.Encode(request)).Request;

        Assert.Equal(request, decoded);
    }

    [Fact]
    public void EmptyValueAndNoValueStayDistinct()
    {
        var empty = KvCommandCodec.Decode(KvCommandCodec.Encode(new KvRequest(Client, 1, KvOperation.Put, "k", ""))).Request;
        var none = KvCommandCodec.Decode(KvCommandCodec.Encode(new KvRequest(Client, 1, KvOperation.Get, "k"))).Request;

        Assert.Equal("", empty.Value);
        Assert.Null(none.Value);
    }

    [Fact]
    public void TheLeadersTimesTravelWithTheCommandAndAVersion1CommandStillReads()
    {
        var request = new KvRequest(Client, 3, KvOperation.Delete, "k");
        Assert.Equal(new KvCommand(request, 1_700_000_000_123, 60_000), KvCommandCodec.Decode(KvCommandCodec.Encode(request, 1_700_000_000_123, 60_000)));

        // Format 1: version(1) op(1) client(16) seq(8) keyLen(4) key valueLen(4), as logs written before hold it.
        var v2 = KvCommandCodec.Encode(request);
        var v1 = new byte[v2.Length - 16];
        v2.AsSpan(0, 26).CopyTo(v1);
        v2.AsSpan(KvCommandCodec.KeyLengthOffset).CopyTo(v1.AsSpan(26));
        v1[0] = 1;
        Assert.Equal(new KvCommand(request, 0, 0), KvCommandCodec.Decode(v1));
    }

    [Fact]
    public void AnEncodedCommandIsNeverEmptySoItCannotBeMistakenForANoOp()
    {
        Assert.NotEmpty(KvCommandCodec.Encode(new KvRequest(Guid.Empty, 0, KvOperation.Get, "")));
    }

    private static byte[] Valid() => KvCommandCodec.Encode(new KvRequest(Client, 7, KvOperation.Put, "key", "value"));

    public static TheoryData<string, byte[]> Malformed()
    {
        var data = new TheoryData<string, byte[]>
        {
            { "empty", Array.Empty<byte>() },
            { "header only", Valid()[..20] },
            { "truncated value", Valid()[..^1] },
            { "trailing byte", Valid().Append((byte)0).ToArray() },
        };
        var version = Valid(); version[0] = 99;
        data.Add("unknown format version", version);
        var op = Valid(); op[1] = 0;
        data.Add("unknown operation", op);
        var negativeKey = Valid(); BinaryPrimitives.WriteInt32LittleEndian(negativeKey.AsSpan(KvCommandCodec.KeyLengthOffset, 4), -1);
        data.Add("negative key length", negativeKey);
        var longKey = Valid(); BinaryPrimitives.WriteInt32LittleEndian(longKey.AsSpan(KvCommandCodec.KeyLengthOffset, 4), 1000);
        data.Add("key length past the end", longKey);
        var hugeKey = Valid(); BinaryPrimitives.WriteInt32LittleEndian(hugeKey.AsSpan(KvCommandCodec.KeyLengthOffset, 4), int.MaxValue);
        data.Add("key length int.MaxValue", hugeKey);
        var badValue = Valid(); BinaryPrimitives.WriteInt32LittleEndian(badValue.AsSpan(KvCommandCodec.KeyLengthOffset + 4 + 3, 4), -2);
        data.Add("value length below -1", badValue);
        var longValue = Valid(); BinaryPrimitives.WriteInt32LittleEndian(longValue.AsSpan(KvCommandCodec.KeyLengthOffset + 4 + 3, 4), 6);
        data.Add("value length past the end", longValue);
        var hugeValue = Valid(); BinaryPrimitives.WriteInt32LittleEndian(hugeValue.AsSpan(KvCommandCodec.KeyLengthOffset + 4 + 3, 4), int.MaxValue);
        data.Add("value length int.MaxValue", hugeValue);
        return data;
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public void MalformedBytesAreRefusedWithFormatException(string what, byte[] bytes)
    {
        var ex = Record.Exception(() => KvCommandCodec.Decode(bytes));

        Assert.True(ex is FormatException, $"{what}: {ex?.GetType().Name ?? "no exception"}");
    }
}
