using RaftOrleans.Tests.Integration;
using Xunit;

namespace RaftOrleans.Tests.Processes;

/// <summary>One five-silo cluster started with scripts/cluster.sh --faults, for the whole class.</summary>
public sealed class FaultSuiteCluster : IAsyncLifetime
{
    internal ScriptCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await ScriptCluster.StartAsync(nodes: 5, faults: true);

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

/// <summary>
/// The fault suite in the test command: `client check` against a real cluster of silo processes, a short run per
/// nemesis. Each run must end linearizable, with no acknowledged write lost and every replica equal (exit 0), and
/// its nemesis must have acted. Longer runs are for people: `client check --seconds 600 --nemesis all` (README).
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class FaultSuiteTests(FaultSuiteCluster fixture) : IClassFixture<FaultSuiteCluster>
{
    private const string Seconds = "15";
    private static readonly TimeSpan RunDeadline = TimeSpan.FromMinutes(4);

    [Theory]
    [InlineData("kill")]
    [InlineData("pause")]
    [InlineData("partition")]
    [InlineData("crash-node")]
    [InlineData("transfer")]
    [InlineData("membership")]
    public async Task Check_passes_under_the_nemesis(string nemesis)
    {
        var (exit, output) = await fixture.Cluster.ClientAsync(RunDeadline, "check", "--nemesis", nemesis, "--seconds", Seconds);

        var context = $"client check --nemesis {nemesis} (exit {exit}):\n{output}\n{fixture.Cluster.Logs()}";
        Assert.True(exit == 0, context);
        Assert.Contains("linearizable:      yes", output);
        Assert.Contains("acknowledged writes lost: 0", output);
        Assert.Matches(@"nemesis events:    [1-9]", output);
        Assert.Contains("replicas:          equal on all 5 nodes", output);
    }
}

/// <summary>
/// `client check --nemesis crash-node` on the one-silo default (it needs nothing but the silo), and on one silo of two
/// groups of different sizes: the keys spread over both, the crashes go to either, and both groups' replicas share the
/// silo's one log on disk.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class EmbeddedFaultSuiteTests
{
    [Theory]
    [InlineData("")]
    [InlineData("[groups]\ncritical = 5\nbackground = 3")]
    public async Task Check_passes_on_the_embedded_silo_under_crash_node(string groups)
    {
        var directory = Directory.CreateTempSubdirectory("raft-embedded-check-").FullName;
        try
        {
            var (config, _) = await EmbeddedSiloConfig.WriteAsync(directory, """
                [faults]
                enabled = true

                """ + groups);
            using var silo = SiloProcess.Start(directory, "--config", config);
            await silo.WaitStartedAsync(ProcessCluster.StartDeadline);

            var (exit, output) = await ConsoleRun.ClientAsync(config, new Dictionary<string, string>(), TimeSpan.FromMinutes(4),
                "check", "--nemesis", "crash-node", "--seconds", "15");

            Assert.True(exit == 0, $"client check --nemesis crash-node (exit {exit}):\n{output}\n--- silo:\n{silo.Output}");
            Assert.Contains("linearizable:      yes", output);
            Assert.Matches(@"nemesis events:    [1-9]", output);
            if (groups.Length == 0) Assert.Contains("replicas:          equal on all 5 nodes", output);
            else
            {
                Assert.Contains("group background: equal on all 3 nodes", output);
                Assert.Contains("group critical: equal on all 5 nodes", output);
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
