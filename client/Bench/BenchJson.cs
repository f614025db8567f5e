using System.Text.Json;

namespace RaftOrleans.Client.Bench;

/// <summary>`bench --json`: the result as one JSON object on one line, so that a script can append runs to a
/// file of JSON lines and read each back with one parse.</summary>
internal static class BenchJson
{
    private static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static string Write(BenchResult result) => JsonSerializer.Serialize(result, Options);
}
