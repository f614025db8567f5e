using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using RaftOrleans.Kv;

namespace RaftOrleans.Silo.Http;

/// <summary>
/// The store over HTTP, on the silo's HTTP endpoint (silo.http_port, 127.0.0.1): <c>PUT</c>, <c>GET</c> and
/// <c>DELETE /kv/{key}</c>, with the same semantics as the console (put fails if the key exists, delete if it is
/// missing) and status codes that say what happened: 201 stored, 409 exists, 200 found or deleted, 404 not found, 400
/// invalid (the reason in the body), 413 value too large, 503 with Retry-After when no leader answered in time.
/// Values are the raw request body (UTF-8 text) or, with Content-Type application/json, <c>{"value": "..."}</c>; a get
/// answers the raw value, or <c>{"key": ..., "value": ...}</c> to Accept: application/json. <c>?group=NAME</c> names a
/// group. Every write is one request of its own session (client id, sequence 1): the gateway's retries never apply it
/// twice, and an <c>Idempotency-Key</c> header makes that client id the key's own, so that a client resending a request
/// with the same key after a lost answer has it applied at most once (and gets the first answer again).
/// The OpenAPI description is at /openapi/v1.json.
/// </summary>
internal static class KvHttpApi
{
    public const string IdempotencyHeader = "Idempotency-Key";

    /// <summary>Seconds a client is asked to wait before retrying a 503.</summary>
    private const int RetryAfterSeconds = 1;

    public static void Map(IEndpointRouteBuilder app)
    {
        var kv = app.MapGroup("/kv").WithTags("kv");
        kv.MapPut("/{key}", PutAsync).WithSummary("Stores a value under a new key (409 if the key exists)")
            .Produces(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        kv.MapGet("/{key}", GetAsync).WithSummary("Reads a key's value, linearizably (404 if it is missing)")
            .Produces<string>(StatusCodes.Status200OK, "text/plain", "application/json").ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        kv.MapDelete("/{key}", DeleteAsync).WithSummary("Deletes a key (404 if it is missing)")
            .Produces(StatusCodes.Status200OK).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
    }

    private static async Task<IResult> PutAsync(string key, string? group, HttpRequest request, IGrainFactory grains, RaftClusterOptions cluster)
    {
        var (value, problem) = await ReadValueAsync(request, cluster.MaxValueBytes);
        if (problem is not null) return problem;
        var result = await Gateway(grains).Put(ClientId(request, key, group), 1, key, value!, group);
        return result.Status == KvStatus.Ok ? Results.Created($"/kv/{Uri.EscapeDataString(key)}", new { key, stored = true }) : Failure(result, key);
    }

    private static async Task<IResult> GetAsync(string key, string? group, HttpRequest request, IGrainFactory grains)
    {
        var result = await Gateway(grains).Get(Guid.NewGuid(), 1, key, group);
        if (result.Status != KvStatus.Ok) return Failure(result, key);
        return WantsJson(request) ? Results.Json(new { key, value = result.Value }) : Results.Text(result.Value, "text/plain; charset=utf-8");
    }

    private static async Task<IResult> DeleteAsync(string key, string? group, HttpRequest request, IGrainFactory grains)
    {
        var result = await Gateway(grains).Delete(ClientId(request, key, group), 1, key, group);
        return result.Status == KvStatus.Ok ? Results.Ok(new { key, deleted = true }) : Failure(result, key);
    }

    private static IKvGatewayGrain Gateway(IGrainFactory grains) => grains.KvGateway(0);

    /// <summary>
    /// The write's client id: with an idempotency key, one derived from the key together with the method, group and store
    /// key (the same for every resend of that request; the same idempotency key on another request is another request),
    /// else a new one.
    /// </summary>
    private static Guid ClientId(HttpRequest request, string key, string? group)
    {
        var idempotencyKey = request.Headers[IdempotencyHeader].ToString();
        if (idempotencyKey.Length == 0) return Guid.NewGuid();
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"raftorleans-idempotency-key/2|{request.Method}|{group}|{key.Length}:{key}|{idempotencyKey}"));
        return new Guid(hash.AsSpan(0, 16));
    }

    private static IResult Failure(KvResult result, string key) => result.Status switch
    {
        KvStatus.KeyExists => Problem(StatusCodes.Status409Conflict, $"key '{key}' exists"),
        KvStatus.NotFound => Problem(StatusCodes.Status404NotFound, $"key '{key}' not found"),
        KvStatus.Invalid => Problem(StatusCodes.Status400BadRequest, result.Reason ?? "invalid request"),
        // Each idempotency key is a session of one write: past the session lifetime it cannot be resent, only replaced.
        KvStatus.SessionExpired => Problem(StatusCodes.Status409Conflict, $"this {IdempotencyHeader} is older than the session lifetime: {result.Reason}; send the request with a new key"),
        _ => new WithRetryAfter(Problem(StatusCodes.Status503ServiceUnavailable,
            $"no leader answered in time ({result.Reason ?? result.Status.ToString()}); retry after {RetryAfterSeconds} s (with the same {IdempotencyHeader}, for a write)")),
    };

    private static IResult Problem(int status, string detail) => Results.Problem(statusCode: status, detail: detail);

    /// <summary>
    /// The value from the body: raw UTF-8 text, or {"value": "..."} with Content-Type application/json. Read no further
    /// than the largest value allowed (413 past it), so a huge body costs nothing.
    /// </summary>
    private static async Task<(string? Value, IResult? Problem)> ReadValueAsync(HttpRequest request, int maxValueBytes)
    {
        var json = request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) == true;
        // JSON adds quotes and escapes around the value: allow it room for them, the value itself is checked after.
        var limit = json ? maxValueBytes * 6L + 1024 : maxValueBytes;
        if (request.ContentLength > limit) return (null, TooLarge(maxValueBytes));
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk)) > 0)
        {
            if (buffer.Length + read > limit) return (null, TooLarge(maxValueBytes));
            buffer.Write(chunk, 0, read);
        }
        var bytes = buffer.ToArray();
        if (!json)
        {
            try
            {
                var text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
                return (text, null);
            }
            catch (DecoderFallbackException)
            {
                return (null, Problem(StatusCodes.Status400BadRequest, "the body is not UTF-8 text; send the value as UTF-8, or as JSON {\"value\": \"...\"}"));
            }
        }
        try
        {
            using var document = JsonDocument.Parse(bytes);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("value", out var value) && value.ValueKind == JsonValueKind.String)
            {
                var text = value.GetString()!;
                return Encoding.UTF8.GetByteCount(text) > maxValueBytes ? (null, TooLarge(maxValueBytes)) : (text, null);
            }
        }
        catch (JsonException)
        {
            // answered below
        }
        return (null, Problem(StatusCodes.Status400BadRequest, "a JSON body must be an object with a string \"value\": {\"value\": \"...\"}"));
    }

    private static IResult TooLarge(int maxValueBytes) =>
        Problem(StatusCodes.Status413PayloadTooLarge, $"the value is longer than gateway.max_value_bytes ({maxValueBytes} bytes of UTF-8)");

    private static bool WantsJson(HttpRequest request) =>
        request.Headers.Accept.ToString().Contains("application/json", StringComparison.OrdinalIgnoreCase);

    /// <summary>A 503 with the Retry-After header that HTTP clients and proxies understand.</summary>
    private sealed class WithRetryAfter(IResult inner) : IResult
    {
        public Task ExecuteAsync(HttpContext context)
        {
            context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return inner.ExecuteAsync(context);
        }
    }
}
