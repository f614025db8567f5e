using System.Text.Json;
using System.Text.Json.Serialization;

namespace RaftOrleans.Client.Check;

/// <summary>
/// A check's history as JSON lines, one operation per line in invocation order: client, op, key, value, result
/// (ok, key-exists, not-found, unknown), invoked_us and completed_us (null: no answer), on the run's clock.
/// </summary>
internal static class HistoryFile
{
    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.Never };

    public static async Task WriteAsync(string path, IEnumerable<HistoryOperation> history)
    {
        await using var file = new StreamWriter(path);
        foreach (var op in history.OrderBy(o => o.InvokedMicros))
        {
            await file.WriteLineAsync(JsonSerializer.Serialize(new Line(
                op.Client, op.Kind.ToString().ToLowerInvariant(), op.Key, op.Value, ResultName(op.Outcome), op.InvokedMicros, op.CompletedMicros), Json));
        }
    }

    private static string ResultName(HistoryOutcome outcome) => outcome switch
    {
        HistoryOutcome.Ok => "ok",
        HistoryOutcome.KeyExists => "key-exists",
        HistoryOutcome.NotFound => "not-found",
        _ => "unknown",
    };

    private sealed record Line(
        [property: JsonPropertyName("client")] int Client,
        [property: JsonPropertyName("op")] string Op,
        [property: JsonPropertyName("key")] string Key,
        [property: JsonPropertyName("value")] string? Value,
        [property: JsonPropertyName("result")] string Result,
        [property: JsonPropertyName("invoked_us")] long InvokedMicros,
        [property: JsonPropertyName("completed_us")] long? CompletedMicros);
}
