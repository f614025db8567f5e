using System.Text.Json;

namespace RaftOrleans.Client.Status;

/// <summary>`status --json`: the report as one JSON object with "nodes", "leader" (or null) and "elections".</summary>
internal static class StatusJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
    };

    public static string Write(StatusReport report) => JsonSerializer.Serialize(report, Options);

    /// <summary>`status --json` of several groups: the overview, one object per group under "groups".</summary>
    public static string Write(GroupsOverview overview) => JsonSerializer.Serialize(overview, Options);
}
