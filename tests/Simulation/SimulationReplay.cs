namespace RaftOrleans.Tests.Simulation;

/// <summary>
/// How to run one seed alone. The replay test reads these variables; when they are unset it does nothing,
/// so the normal test command is unaffected:
///   RAFT_SIM_SEED=17 RAFT_SIM_NODES=5 dotnet test tests/RaftOrleans.Tests.csproj -c Release --filter "FullyQualifiedName~SimulationTests.ReplaySeedFromEnvironment" --logger "console;verbosity=detailed"
/// </summary>
internal static class SimulationReplay
{
    public const string SeedVariable = "RAFT_SIM_SEED";
    public const string NodesVariable = "RAFT_SIM_NODES";
    public const string GroupsVariable = "RAFT_SIM_GROUPS";

    /// <summary>Overrides how many seeds each sweep runs, for a longer soak: RAFT_SIM_SEEDS=20000 dotnet test ...</summary>
    public const string SeedCountVariable = "RAFT_SIM_SEEDS";

    public static int SeedCount(int normally) =>
        int.TryParse(Environment.GetEnvironmentVariable(SeedCountVariable), out var count) && count > 0 ? count : normally;

    public static string Command(int seed, int nodeCount, int groups = 1) =>
        $"{SeedVariable}={seed} {NodesVariable}={nodeCount}{(groups > 1 ? $" {GroupsVariable}={groups}" : "")} dotnet test tests/RaftOrleans.Tests.csproj -c Release " +
        "--filter \"FullyQualifiedName~SimulationTests.ReplaySeedFromEnvironment\" --logger \"console;verbosity=detailed\"";

    /// <summary>The seed, cluster size and groups asked for in the environment, or null if no replay was asked for.</summary>
    public static (int Seed, int NodeCount, int Groups)? FromEnvironment()
    {
        var seed = Environment.GetEnvironmentVariable(SeedVariable);
        if (string.IsNullOrWhiteSpace(seed)) return null;
        var nodes = Environment.GetEnvironmentVariable(NodesVariable);
        var groups = Environment.GetEnvironmentVariable(GroupsVariable);
        return (int.Parse(seed), string.IsNullOrWhiteSpace(nodes) ? 3 : int.Parse(nodes), string.IsNullOrWhiteSpace(groups) ? 1 : int.Parse(groups));
    }
}
