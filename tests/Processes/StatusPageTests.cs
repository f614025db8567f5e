using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using RaftOrleans.Tests.Integration;
using Xunit;

namespace RaftOrleans.Tests.Processes;

/// <summary>
/// The silo's HTTP endpoint on a real silo process: the status page in a real browser (headless Chromium) shows the
/// leader and follows a write; /metrics has the store's meter beside Orleans' and the runtime's.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed partial class StatusPageTests
{
    private static readonly TimeSpan ScriptTime = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task The_page_shows_the_leader_and_follows_a_write_and_metrics_are_served()
    {
        var directory = Directory.CreateTempSubdirectory("raft-status-page-").FullName;
        var (config, httpPort) = await EmbeddedSiloConfig.WriteAsync(directory, "orleans_dashboard = true");
        using var silo = SiloProcess.Start(directory, "--config", config);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}/") };
        try
        {
            await silo.WaitStartedAsync(ProcessCluster.StartDeadline);
            // The page names the leader /api/status names before and after the page loads. On a loaded machine an
            // election at start-up may move the leader between two reads: then both are read again.
            var (leader, before) = await Eventually.WaitFor(async () =>
            {
                var first = await LeaderAsync(http);
                if (first is null) return null;
                var page = await HeadlessChromium.DumpDomAsync(http.BaseAddress!.ToString(), ScriptTime);
                return await LeaderAsync(http) == first && Attribute(page, "leader") == first ? Tuple.Create(first, page) : null;
            }, "the page naming the leader /api/status names before and after it loads");
            Assert.Contains($">node {leader}</div>", before);
            Assert.Equal(5, RowCount(before));
            var commitBefore = long.Parse(Attribute(before, "commit"));

            var (exit, output) = await ConsoleRun.ClientAsync(config, new Dictionary<string, string>(), Eventually.Generous, "put", "page", "seen");
            Assert.True(exit == 0, output);

            var after = await HeadlessChromium.DumpDomAsync(http.BaseAddress!.ToString(), ScriptTime);
            Assert.True(long.Parse(Attribute(after, "commit")) > commitBefore, $"the page's commit index did not move past {commitBefore}:\n{after}");

            var metrics = await http.GetStringAsync("metrics");
            Assert.Matches($@"raftorleans_node_leader\{{[^}}]*node=""{leader}""[^}}]*\}} 1", metrics);
            Assert.Matches(@"raftorleans_commit_duration_seconds_count\{[^}]*\} [1-9]", metrics);
            Assert.Contains("raftorleans_fsync_duration_seconds_bucket", metrics);
            Assert.Contains("orleans_", metrics); // Orleans' own meter
            Assert.Contains("dotnet_", metrics); // the .NET runtime's

            // Orleans' own dashboard, asked for in raft.toml: its page, and its data naming this silo's grains.
            Assert.Contains("<title>Orleans Dashboard</title>", await http.GetStringAsync("orleans/"));
            Assert.Contains("RaftNodeGrain", await http.GetStringAsync("orleans/DashboardCounters"));
        }
        catch (Exception) when (Fail(silo))
        {
            throw;
        }
        finally
        {
            silo.Dispose(); // kill -9, waited for: the directory is free again
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<string?> LeaderAsync(HttpClient http) =>
        (await http.GetFromJsonAsync<JsonElement>("api/status")).GetProperty("leader") is { ValueKind: JsonValueKind.Number } id ? id.GetInt32().ToString() : null;

    private static string Attribute(string dom, string name) =>
        DataAttribute().Matches(dom).FirstOrDefault(m => m.Groups[1].Value == name)?.Groups[2].Value
        ?? throw new InvalidOperationException($"no data-{name} in the page:\n{dom}");

    private static int RowCount(string dom) => Regex.Matches(dom, @"<tr[^>]*data-node=""\d+""").Count;

    [GeneratedRegex(@"id=""(leader|commit)""[^>]*data-\1=""([^""]*)""")]
    private static partial Regex DataAttribute();

    private static bool Fail(SiloProcess silo)
    {
        Console.Error.WriteLine(silo.Output);
        return false;
    }
}
