using Microsoft.Extensions.Logging;

namespace RaftOrleans.Configuration;

/// <summary>The <c>[silo]</c> section: the Orleans host's endpoints and logging. The client console connects to <see cref="GatewayPort"/>.</summary>
public sealed record SiloSettings
{
    /// <summary><c>silo_port</c>: TCP port for silo-to-silo traffic. Default 11111.</summary>
    public int SiloPort { get; init; } = 11111;

    /// <summary><c>gateway_port</c>: TCP port Orleans clients connect to (the client console uses it too). Default 30000.</summary>
    public int GatewayPort { get; init; } = 30000;

    /// <summary><c>log_level</c>: minimum level logged; a <see cref="Microsoft.Extensions.Logging.LogLevel"/> name, case-insensitive in the file. Default Information.</summary>
    public LogLevel LogLevel { get; init; } = LogLevel.Information;
}
