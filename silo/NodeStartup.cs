using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace RaftOrleans.Silo;

/// <summary>Another active silo already hosts this silo's node: two processes must never run one Raft node.</summary>
public sealed class NodeClaimedException(string message) : Exception(message);

/// <summary>
/// The silo's start-up task: refuses to run a node another silo already runs, then activates the nodes this
/// silo hosts (every group's replica on each of its nodes) so elections run before any client shows up. A replica a
/// membership change added outside its group's first configuration starts on its leader's first message.
/// </summary>
internal static class NodeStartup
{
    // A restarted silo may find the directory still pointing at its previous incarnation's activation until
    // membership has marked that one dead; activation is retried for this long before start-up gives up.
    private static readonly TimeSpan ActivationDeadline = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(200);

    public static async Task RunAsync(IServiceProvider services, RaftClusterOptions options, CancellationToken cancellation)
    {
        if (options.OneNodePerSilo) RefuseIfClaimed(services, options);
        var grains = services.GetRequiredService<IGrainFactory>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("RaftOrleans.Silo.NodeStartup");
        await Task.WhenAll(options.HostedNodes.SelectMany(id => options.Groups.On(id).Select(group => (group.Name, id)))
            .Select(replica => ActivateAsync(grains, replica.Name, replica.id, logger, cancellation)));
    }

    private static void RefuseIfClaimed(IServiceProvider services, RaftClusterOptions options)
    {
        var self = services.GetRequiredService<ILocalSiloDetails>().SiloAddress;
        var others = services.GetRequiredService<IClusterMembershipService>().CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active && m.Name == options.SiloName && !m.SiloAddress.Equals(self))
            .ToArray();
        if (others.Length > 0)
        {
            throw new NodeClaimedException(
                $"another active silo ({others[0].SiloAddress}) already hosts Raft node {options.HostedNodes[0]} ({options.SiloName}); " +
                "stop it first, or start this one with another --node");
        }
    }

    private static async Task ActivateAsync(IGrainFactory grains, string group, int id, ILogger logger, CancellationToken cancellation)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await grains.RaftNode(group, id).Start();
                return;
            }
            catch (Exception error) when (clock.Elapsed < ActivationDeadline && !cancellation.IsCancellationRequested)
            {
                logger.LogDebug("node {NodeId} of group {Group} did not start yet ({Error}); trying again", id, group, error.Message);
                await Task.Delay(RetryPause, cancellation);
            }
        }
    }
}
