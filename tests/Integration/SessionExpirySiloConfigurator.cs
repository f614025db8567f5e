using Orleans.TestingHost;
using RaftOrleans.Silo;
using RaftOrleans.Storage;

namespace RaftOrleans.Tests.Integration;

/// <summary>The test silo with sessions that expire after two seconds (below what raft.toml allows, to keep the test short).</summary>
public sealed class SessionExpirySiloConfigurator : ISiloConfigurator
{
    public static readonly RaftClusterOptions Options = TestSiloConfigurator.Options with { SessionLifetime = TimeSpan.FromSeconds(2) };

    public void Configure(ISiloBuilder siloBuilder) => siloBuilder.AddRaftKeyValueStore(Options, new InMemoryRaftStorageProvider());
}
