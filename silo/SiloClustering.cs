using System.Net;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using RaftOrleans.Configuration;

namespace RaftOrleans.Silo;

/// <summary>How a silo finds the others: localhost clustering (embedded) or Redis membership (cluster mode).</summary>
internal static class SiloClustering
{
    public static ISiloBuilder UseRaftClustering(this ISiloBuilder silo, RaftConfig config, int? node)
    {
        if (config.Cluster.Mode == ClusterMode.Embedded)
            return silo.UseLocalhostClustering(config.SiloPortOf(node), config.GatewayPortOf(node));

        return silo
            .Configure<ClusterOptions>(options =>
            {
                options.ClusterId = config.Cluster.Id;
                options.ServiceId = config.Cluster.Id;
            })
            // Listen on the configured address only (127.0.0.1 by default), never on every interface.
            .ConfigureEndpoints(IPAddress.Parse(config.Silo.Address), config.SiloPortOf(node), config.GatewayPortOf(node),
                listenOnAnyHostAddress: false)
            .UseRedisClustering(config.Cluster.Redis);
    }
}
