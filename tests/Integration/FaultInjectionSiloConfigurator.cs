using Orleans.TestingHost;
using RaftOrleans.Silo;
using RaftOrleans.Storage;

namespace RaftOrleans.Tests.Integration;

/// <summary>The test silo with raft.toml's [faults] enabled = true: nodes take partition orders.</summary>
public sealed class FaultInjectionSiloConfigurator : ISiloConfigurator
{
    public static readonly RaftClusterOptions Options = TestSiloConfigurator.Options with { FaultInjection = true };

    public void Configure(ISiloBuilder siloBuilder) => siloBuilder.AddRaftKeyValueStore(Options, new InMemoryRaftStorageProvider());
}
