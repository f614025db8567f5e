using RaftOrleans.Client.Connection;
using RaftOrleans.Configuration;
using RaftOrleans.Silo;
using Xunit;

namespace RaftOrleans.Tests.Library;

/// <summary>
/// The console derives the client settings from raft.toml; a silo answers them from the same file through its options.
/// The two must agree, or the console would number and time its requests unlike an application.
/// </summary>
public sealed class ClientSettingsTests
{
    public static TheoryData<string> Configurations => new() { "default", "cluster with groups" };

    [Theory]
    [MemberData(nameof(Configurations))]
    public void The_console_and_a_silo_derive_the_same_client_settings(string name)
    {
        var config = name == "default"
            ? RaftConfig.Default
            : RaftConfig.Default with
            {
                Cluster = new ClusterSettings { Mode = ClusterMode.Cluster, Nodes = 5 },
                Groups = [new GroupSettings("critical", 5), new GroupSettings("background", 3)],
                Gateway = RaftConfig.Default.Gateway with { RequestTimeoutMs = 1234, SessionLifetimeMs = 987_654, MaxRequestsInFlight = 17 },
            };
        var silo = RaftClusterOptionsFactory.From(config, config.Cluster.Mode == ClusterMode.Cluster ? 1 : null).ClientSettings;
        var console = ConfiguredClientSettings.From(config);
        Assert.True(console.SameAs(silo), $"console {Describe(console)} / silo {Describe(silo)}");
        Assert.Equal(config.Cluster.Mode == ClusterMode.Cluster, console.SpreadOverSilos);
    }

    private static string Describe(RaftOrleans.Kv.KvClientSettings settings) =>
        $"{string.Join(",", settings.Groups.Select(g => $"{g.Name}:{g.Replicas}"))} nodes {settings.Nodes} timeout {settings.RequestTimeout} " +
        $"attempt {settings.AttemptTimeout} lifetime {settings.SessionLifetime} in flight {settings.MaxRequestsInFlight}";
}
