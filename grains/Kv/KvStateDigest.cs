using System.Buffers;
using System.IO.Hashing;
using System.Text;

namespace RaftOrleans.Kv;

/// <summary>
/// A fingerprint of a KV map that is kept up to date on every apply instead of computed over the whole map:
/// the sum (mod 2^64) of a stable 64-bit hash of each key/value pair. A sum does not depend on the order the
/// pairs were added in, so equal maps have equal digests on every node; a put adds its pair's hash, a delete
/// subtracts it. (Hashing a sorted copy of the map instead stalled each node for a few hundred ms on every
/// `client status` once the store held 100,000 keys, long enough to start elections.)
/// </summary>
public static class KvStateDigest
{
    /// <summary>XxHash64 of the pair's UTF-8 bytes, key and value separated by a zero byte: the same on every machine.</summary>
    public static ulong Of(string key, string value)
    {
        var most = Encoding.UTF8.GetMaxByteCount(key.Length + value.Length) + 1;
        byte[]? rented = null;
        var buffer = most <= 512 ? stackalloc byte[512] : (rented = ArrayPool<byte>.Shared.Rent(most));
        var length = Encoding.UTF8.GetBytes(key, buffer);
        buffer[length++] = 0;
        length += Encoding.UTF8.GetBytes(value, buffer[length..]);
        var hash = XxHash64.HashToUInt64(buffer[..length]);
        if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        return hash;
    }
}
