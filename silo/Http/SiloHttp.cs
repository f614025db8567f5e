using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using Orleans.Dashboard;
using RaftOrleans.Metrics;

namespace RaftOrleans.Silo.Http;

/// <summary>
/// The silo's HTTP endpoint (raft.toml's silo.http_port, on 127.0.0.1 only), on ASP.NET Core's Kestrel with nothing
/// else of a web stack: the live status page at /, its data at /api/status and /api/history, the metrics at
/// /metrics in Prometheus' text format (the store's meter, Orleans' and the .NET runtime's, through OpenTelemetry),
/// and the store itself at /kv/{key} (<see cref="KvHttpApi"/>, described at /openapi/v1.json).
/// </summary>
internal static class SiloHttp
{
    /// <summary>A host builder with Kestrel listening on 127.0.0.1:<paramref name="port"/>, no configuration files, no defaults.</summary>
    public static WebApplicationBuilder CreateBuilder(int port)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        builder.Services.AddRoutingCore();
        builder.Services.AddOpenApi(); // the description of the KV API, at /openapi/v1.json
        builder.Services.AddSingleton<ClusterViewReader>();
        builder.Services.AddSingleton<StatusHistory>();
        builder.Services.AddHostedService(services => services.GetRequiredService<StatusHistory>());
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(RaftMetrics.MeterName, "Microsoft.Orleans", "System.Runtime")
            .AddPrometheusExporter());
        return builder;
    }

    /// <param name="orleansDashboard">Also map Orleans' dashboard at /orleans/ (its silo part is added with the silo's services).</param>
    public static WebApplication Build(WebApplicationBuilder builder, bool orleansDashboard)
    {
        var app = builder.Build();
        app.UseRouting();
        if (orleansDashboard) app.MapOrleansDashboard(routePrefix: "/orleans");
        app.MapPrometheusScrapingEndpoint(); // GET /metrics
        KvHttpApi.Map(app); // PUT, GET, DELETE /kv/{key}
        app.MapOpenApi();
        var page = StatusPage();
        app.MapGet("/", () => Results.Content(page, "text/html; charset=utf-8"));
        // ?group=NAME picks the group (default: the first by name); an unknown one is a 404 naming the known ones.
        app.MapGet("/api/status", async (ClusterViewReader reader, string? group) =>
            reader.HasGroup(group ??= reader.DefaultGroup) ? Results.Json(await reader.ReadAsync(group)) : UnknownGroup(reader, group));
        app.MapGet("/api/history", (ClusterViewReader reader, StatusHistory history, string? group) =>
            reader.HasGroup(group ??= reader.DefaultGroup) ? Results.Json(history.Samples(group)) : UnknownGroup(reader, group));
        return app;
    }

    private static IResult UnknownGroup(ClusterViewReader reader, string group) =>
        Results.NotFound(new { error = $"there is no group '{group}'", groups = reader.GroupNames });


    private static string StatusPage()
    {
        using var stream = typeof(SiloHttp).Assembly.GetManifestResourceStream("status.html")
                           ?? throw new InvalidOperationException("the status page is not built into the silo (silo/Http/status.html)");
        return new StreamReader(stream).ReadToEnd();
    }
}
