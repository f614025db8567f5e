// The README's sample of an ASP.NET Core application using the client library ("Using the store from .NET"), compiled
// and run by the tests (KeyValueSampleTests) so that it stays true: the text between the two sample markers must
// appear in README.md as it is here.
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace RaftOrleans.Tests.Library.Samples;

// sample begins
using RaftOrleans.KeyValue;

public static class OrdersApi
{
    // Program.cs: an Orleans client for the store's cluster, and the store on top of it.
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.UseOrleansClient(client => client.UseLocalhostClustering(gatewayPort: 30000)); // the embedded silo
        builder.Services.AddRaftKeyValueClient(options => options.Deadline = TimeSpan.FromSeconds(10));
        var app = builder.Build();
        app.MapOrders();
        return app;
    }

    // PUT /orders/{id} records an order (the library's own resends are applied at most once); GET reads it.
    public static void MapOrders(this IEndpointRouteBuilder app)
    {
        app.MapPut("/orders/{id}", async (string id, HttpRequest request, IKeyValueStore store, CancellationToken cancel) =>
        {
            var order = await new StreamReader(request.Body).ReadToEndAsync(cancel);
            try
            {
                return await store.PutAsync($"order:{id}", order, cancellationToken: cancel) == PutResult.Stored
                    ? Results.Created($"/orders/{id}", null)
                    : Results.Conflict($"order {id} exists");
            }
            catch (KeyValueUnavailableException error) // no leader before the deadline: it may still apply, once
            {
                return Results.Problem(error.Message, statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        });
        app.MapGet("/orders/{id}", async (string id, IKeyValueStore store, CancellationToken cancel) =>
            await store.GetAsync($"order:{id}", cancellationToken: cancel) is { IsFound: true } order
                ? Results.Text(order.Value)
                : Results.NotFound());
    }
}
// sample ends
