using System.Text;

namespace RaftOrleans.Kv;

/// <summary>Refuses malformed requests before they reach the log: nothing invalid is ever replicated.</summary>
public static class KvRequestValidator
{
    /// <summary>The reason <paramref name="request"/> is invalid, or null when it is fine.</summary>
    public static string? Problem(KvRequest request, int maxKeyBytes, int maxValueBytes)
    {
        if (request.ClientId == Guid.Empty) return "client id must not be empty";
        if (request.Sequence < 1) return $"sequence must be at least 1, got {request.Sequence}";
        if (string.IsNullOrEmpty(request.Key)) return "key must not be empty";
        var keyBytes = Encoding.UTF8.GetByteCount(request.Key);
        if (keyBytes > maxKeyBytes) return $"key is {keyBytes} bytes, the limit is {maxKeyBytes} (gateway.max_key_bytes)";
        if (request.Operation == KvOperation.Put)
        {
            if (request.Value is null) return "put needs a value";
            var valueBytes = Encoding.UTF8.GetByteCount(request.Value);
            if (valueBytes > maxValueBytes)
                return $"value is {valueBytes} bytes, the limit is {maxValueBytes} (gateway.max_value_bytes)";
        }
        else if (request.Value is not null)
        {
            return $"{request.Operation.ToString().ToLowerInvariant()} takes no value";
        }
        return null;
    }
}
