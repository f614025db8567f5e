using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using RaftOrleans.Tests.Configuration;
using RaftOrleans.Tests.Integration;
using Xunit;

namespace RaftOrleans.Tests.Processes;

/// <summary>
/// The HTTP API (/kv/{key}) of a real silo process, as curl would use it: every status code, JSON and raw bodies, the
/// idempotency key, bad input, and 503 when no majority is left.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class HttpApiTests
{
    [Fact]
    public async Task The_kv_api_answers_with_status_codes_that_say_what_happened()
    {
        var directory = Directory.CreateTempSubdirectory("raft-http-api-").FullName;
        var (config, httpPort) = await EmbeddedSiloConfig.WriteAsync(directory, """
            [gateway]
            request_timeout_ms = 1000
            session_lifetime_ms = 6000

            [faults]
            enabled = true
            """);
        using var silo = SiloProcess.Start(directory, "--config", config);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}/") };
        try
        {
            await silo.WaitStartedAsync(ProcessCluster.StartDeadline);
            await Eventually.WaitFor(async () =>
                (await http.GetFromJsonAsync<JsonElement>("api/status")).GetProperty("leader").ValueKind == JsonValueKind.Number ? "" : null, "a leader");

            // Put, put again, get (raw and JSON), delete, delete again.
            await Expect(HttpStatusCode.Created, await http.PutAsync("kv/color", Text("blue")));
            await Expect(HttpStatusCode.Conflict, await http.PutAsync("kv/color", Text("red")), "key 'color' exists");
            Assert.Equal("blue", await Expect(HttpStatusCode.OK, await http.GetAsync("kv/color")));
            using (var asJson = new HttpRequestMessage(HttpMethod.Get, "kv/color"))
            {
                asJson.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
                Assert.Equal("""{"key":"color","value":"blue"}""", await Expect(HttpStatusCode.OK, await http.SendAsync(asJson)));
            }
            await Expect(HttpStatusCode.NotFound, await http.GetAsync("kv/nothing"), "key 'nothing' not found");
            await Expect(HttpStatusCode.OK, await http.DeleteAsync("kv/color"));
            await Expect(HttpStatusCode.NotFound, await http.DeleteAsync("kv/color"));

            // A JSON body; a JSON body of another shape.
            await Expect(HttpStatusCode.Created, await http.PutAsync("kv/json", JsonContent.Create(new { value = "from json" })));
            Assert.Equal("from json", await Expect(HttpStatusCode.OK, await http.GetAsync("kv/json")));
            await Expect(HttpStatusCode.BadRequest, await http.PutAsync("kv/json2", JsonContent.Create(new { other = 1 })), "a JSON body must be an object");

            // Bad input: a key too long, a value too large, a group that does not exist.
            await Expect(HttpStatusCode.BadRequest, await http.PutAsync($"kv/{new string('k', 300)}", Text("v")), "max_key_bytes");
            await Expect(HttpStatusCode.RequestEntityTooLarge, await http.PutAsync("kv/big", Text(new string('v', 70_000))), "gateway.max_value_bytes");
            await Expect(HttpStatusCode.BadRequest, await http.PutAsync("kv/g?group=nope", Text("v")), "there is no group 'nope'");
            await Expect(HttpStatusCode.NotFound, await http.GetAsync("kv/big"));

            // The idempotency key: a resend gets the first answer again and is not applied again, even with another body.
            await Expect(HttpStatusCode.Created, await Idempotent("kv/task-1", "first", "key-1"));
            await Expect(HttpStatusCode.Created, await Idempotent("kv/task-1", "second", "key-1"));
            await Expect(HttpStatusCode.Conflict, await http.PutAsync("kv/task-1", Text("third")));
            Assert.Equal("first", await Expect(HttpStatusCode.OK, await http.GetAsync("kv/task-1")));
            // The same idempotency key on another request is that request's own: it is carried out.
            await Expect(HttpStatusCode.Created, await Idempotent("kv/task-2", "other", "key-1"));
            Assert.Equal("other", await Expect(HttpStatusCode.OK, await http.GetAsync("kv/task-2")));

            // The README's shell example, run as a user would: recorded once, the resend answered the first answer. It
            // needs curl, which a fresh machine may lack: the test installs it, as the fault suite installs redis-server.
            DebianPackage.EnsureInstalled("curl", "curl");
            var (exit, output) = await Script("http-example.sh", $"http://127.0.0.1:{httpPort}", "job-42");
            Assert.True(exit == 0, $"scripts/http-example.sh (exit {exit}): {output}");
            Assert.Contains("recorded job.job-42", output);
            Assert.Contains("answered 201 (the first answer) and not applied again", output);
            Assert.StartsWith("done at ", await Expect(HttpStatusCode.OK, await http.GetAsync("kv/job.job-42")));
            (exit, output) = await Script("http-example.sh", $"http://127.0.0.1:{httpPort}", "job-42");
            Assert.True(exit == 0 && output.Contains("job.job-42 was already recorded"), $"a second run (exit {exit}): {output}");

            // The OpenAPI description names the API.
            Assert.Contains("/kv/{key}", await http.GetStringAsync("openapi/v1.json"));

            // No majority (three of five nodes crashed): 503 with Retry-After, then served again.
            foreach (var node in new[] { 1, 2, 3 }) await Client(config, "crash", node.ToString());
            var unavailable = await http.PutAsync("kv/during", Text("v"));
            await Expect(HttpStatusCode.ServiceUnavailable, unavailable, "no leader answered in time");
            Assert.Equal(TimeSpan.FromSeconds(1), unavailable.Headers.RetryAfter?.Delta);
            foreach (var node in new[] { 1, 2, 3 }) await Client(config, "restart", node.ToString());
            await Eventually.WaitFor(async () => (await http.PutAsync("kv/after", Text("v"))).StatusCode == HttpStatusCode.Created ? "" : null,
                "a put to be stored again");
        }
        catch (Exception) when (Fail(silo))
        {
            throw;
        }
        finally
        {
            silo.Dispose();
            Directory.Delete(directory, recursive: true);
        }

        Task<HttpResponseMessage> Idempotent(string path, string value, string key)
        {
            var request = new HttpRequestMessage(HttpMethod.Put, path) { Content = Text(value) };
            request.Headers.Add("Idempotency-Key", key);
            return http.SendAsync(request);
        }
    }

    /// <summary>Runs scripts/<paramref name="name"/> with bash; its exit code and everything it printed.</summary>
    private static async Task<(int Exit, string Output)> Script(string name, params string[] arguments)
    {
        var start = new ProcessStartInfo("bash", [Path.Combine(RepositoryRoot.Path, "scripts", name), .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(Eventually.Generous * 4);
        await process.WaitForExitAsync(deadline.Token);
        return (process.ExitCode, await output + await error);
    }

    private static StringContent Text(string value) => new(value, Encoding.UTF8, "text/plain");

    /// <summary>Asserts the status (and, if given, a phrase of the body) and returns the body.</summary>
    private static async Task<string> Expect(HttpStatusCode status, HttpResponseMessage response, string? phrase = null)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        if (phrase is not null) Assert.Contains(phrase, body);
        return body;
    }

    private static async Task Client(string config, params string[] arguments)
    {
        var (exit, output) = await ConsoleRun.ClientAsync(config, new Dictionary<string, string>(), Eventually.Generous, arguments);
        Assert.True(exit == 0, $"client {string.Join(' ', arguments)} (exit {exit}): {output}");
    }

    private static bool Fail(SiloProcess silo)
    {
        Console.Error.WriteLine($"--- silo output:\n{silo.Output}");
        return false;
    }
}
