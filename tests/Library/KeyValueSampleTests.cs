using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using RaftOrleans.KeyValue;
using RaftOrleans.Tests.Configuration;
using RaftOrleans.Tests.Integration;
using RaftOrleans.Tests.Library.Samples;
using Xunit;

namespace RaftOrleans.Tests.Library;

/// <summary>The README's ASP.NET Core sample (<see cref="OrdersApi"/>): it is the README's text, and it works.</summary>
public sealed class KeyValueSampleTests : RaftClusterTest
{
    [Fact]
    public void The_readme_shows_the_sample_as_it_is_compiled_here()
    {
        var sample = File.ReadAllLines(Path.Combine(RepositoryRoot.Path, "tests", "Library", "Samples", "OrdersApi.cs"))
            .SkipWhile(line => line != "// sample begins").Skip(1).TakeWhile(line => line != "// sample ends").ToArray();
        Assert.True(sample.Length > 20, "the sample markers are missing from OrdersApi.cs");
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "README.md")).ReplaceLineEndings("\n");
        Assert.True(readme.Contains(string.Join("\n", sample) + "\n"),
            "README.md must show tests/Library/Samples/OrdersApi.cs between its sample markers, as it is there");
    }

    [Fact]
    public async Task The_sample_application_stores_and_reads_orders_through_the_library()
    {
        // The sample's endpoints and registration, over the test cluster's Orleans client instead of localhost clustering.
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddSingleton(Cluster.Client);
        builder.Services.AddRaftKeyValueClient(options => options.Deadline = TimeSpan.FromSeconds(10));
        await using var app = builder.Build();
        app.MapOrders();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        using var http = new HttpClient { BaseAddress = new Uri(address) };

        Assert.Equal(HttpStatusCode.Created, (await http.PutAsync("/orders/7", new StringContent("2 apples"))).StatusCode);
        var again = await http.PutAsync("/orders/7", new StringContent("3 pears"));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("2 apples", await http.GetStringAsync("/orders/7"));
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/orders/8")).StatusCode);
        // What the application stored is in the store, under the sample's key.
        Assert.Equal("2 apples", (await Cluster.Client.AsKeyValueStore().GetAsync("order:7")).Value);
        await app.StopAsync();
    }

    [Fact]
    public async Task The_sample_program_registers_the_store_over_its_orleans_client()
    {
        await using var app = OrdersApi.Build(["--urls", "http://127.0.0.1:0"]);
        Assert.NotNull(app.Services.GetRequiredService<IKeyValueStore>());
        Assert.NotNull(app.Services.GetRequiredService<IClusterClient>());
    }
}
