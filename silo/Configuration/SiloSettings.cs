using Microsoft.Extensions.Logging;

namespace RaftOrleans.Configuration;

/// <summary>The <c>[silo]</c> section: the Orleans host's endpoints and logging. The client console connects to <see cref="GatewayPort"/>.</summary>
public sealed record SiloSettings
{
    /// <summary>
    /// <c>address</c>: the IP address a silo listens on and tells the others (cluster mode; an embedded silo is
    /// always on 127.0.0.1). Default 127.0.0.1: set this machine's address to let silos of other machines in.
    /// </summary>
    public string Address { get; init; } = "127.0.0.1";

    /// <summary><c>silo_port</c>: TCP port for silo-to-silo traffic; node N's silo uses silo_port + N - 1 in cluster mode. Default 11111.</summary>
    public int SiloPort { get; init; } = 11111;

    /// <summary><c>gateway_port</c>: TCP port Orleans clients connect to; node N's silo uses gateway_port + N - 1 in cluster mode. Default 30000.</summary>
    public int GatewayPort { get; init; } = 30000;

    /// <summary>
    /// <c>http_port</c>: the silo's HTTP endpoint, on 127.0.0.1 only: the status page at <c>/</c>, Prometheus metrics at
    /// <c>/metrics</c>. Node N's silo uses http_port + N - 1 in cluster mode. 0: no HTTP endpoint. Default 8080.
    /// </summary>
    public int HttpPort { get; init; } = 8080;

    /// <summary>
    /// <c>orleans_dashboard</c>: also serve Orleans' own dashboard (grain calls, activations, silos) at <c>/orleans/</c> on
    /// the HTTP endpoint. It profiles every grain call, so it is off by default. Default false.
    /// </summary>
    public bool OrleansDashboard { get; init; }

    /// <summary><c>log_level</c>: minimum level logged; a <see cref="Microsoft.Extensions.Logging.LogLevel"/> name, case-insensitive in the file. Default Information.</summary>
    public LogLevel LogLevel { get; init; } = LogLevel.Information;
}
