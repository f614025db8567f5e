using RaftOrleans.Client.Check;
using RaftOrleans.Client.CommandLine;
using RaftOrleans.Configuration;
using RaftOrleans.Tests.Configuration;
using Xunit;

namespace RaftOrleans.Tests.Check;

/// <summary>`client check`'s command line: a nemesis the cluster cannot take is refused before anything runs, saying what to do.</summary>
public sealed class CheckOptionsTests
{
    private static readonly RaftConfig Embedded = RaftConfig.Default;
    private static readonly RaftConfig Cluster = RaftConfig.Default with { Cluster = new ClusterSettings { Mode = ClusterMode.Cluster } };
    private static readonly RaftConfig ClusterWithFaults = Cluster with { Faults = new FaultSettings { Enabled = true } };

    [Fact]
    public void DefaultsAreFiveClientsFiveKeysSixtySecondsAndNoNemesis()
    {
        var options = Parse(Embedded, "check");
        Assert.Equal((5, 5, 60), (options.Clients, options.Keys, options.Seconds));
        Assert.Empty(options.Nemeses);
    }

    [Fact]
    public void AllTakesTurnsAmongEveryNemesis()
    {
        var options = Parse(ClusterWithFaults, "check", "--nemesis", "all", "--cluster-script", Path.Combine(RepositoryRoot.Path, "scripts", "cluster.sh"));
        Assert.Equal([NemesisKind.Kill, NemesisKind.Pause, NemesisKind.Partition, NemesisKind.CrashNode, NemesisKind.Transfer, NemesisKind.Membership], options.Nemeses);
    }

    [Theory]
    [InlineData("kill")]
    [InlineData("pause")]
    [InlineData("all")]
    public void KillingOrPausingSilosNeedsClusterMode(string nemesis)
    {
        var error = Assert.Throws<UsageException>(() => Parse(Embedded, "check", "--nemesis", nemesis));
        Assert.Contains("needs cluster mode", error.Message);
        Assert.Contains("--nemesis crash-node", error.Message);
    }

    [Theory]
    [InlineData("partition")]
    [InlineData("crash-node")]
    public void PartitionAndCrashNeedFaultsEnabled(string nemesis)
    {
        var error = Assert.Throws<UsageException>(() => Parse(Cluster, "check", "--nemesis", nemesis));
        Assert.Contains("[faults] enabled = true", error.Message);
        Assert.Single(Parse(ClusterWithFaults, "check", "--nemesis", nemesis).Nemeses);
    }

    [Fact]
    public void AnUnknownNemesisListsTheKnownOnes()
    {
        var error = Assert.Throws<UsageException>(() => Parse(Embedded, "check", "--nemesis", "flood"));
        Assert.Equal("--nemesis must be none, kill, pause, partition, crash-node, transfer, membership or all, got 'flood'", error.Message);
    }

    [Fact]
    public void AMissingClusterScriptIsNamed()
    {
        var error = Assert.Throws<UsageException>(() => Parse(Cluster, "check", "--nemesis", "kill", "--cluster-script", "/nonexistent/cluster.sh"));
        Assert.Equal("--cluster-script /nonexistent/cluster.sh: no such file", error.Message);
    }

    /// <summary>`check ARGS` through the console's own `check` command definition, then checked against <paramref name="config"/>.</summary>
    private static CheckOptions Parse(RaftConfig config, params string[] args)
    {
        Assert.Equal("check", args[0]);
        var result = CheckOptions.Command().Parse(args[1..]);
        Assert.Empty(result.Errors);
        return CheckOptions.From(result, config);
    }
}
