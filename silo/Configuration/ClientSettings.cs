namespace RaftOrleans.Configuration;

/// <summary>
/// The <c>[client]</c> section: the workload the client console runs. The console connects to the
/// silo's gateway port (<see cref="SiloSettings.GatewayPort"/>); there is no separate client port.
/// </summary>
public sealed record ClientSettings
{
    /// <summary><c>num_clients</c>: concurrent simulated clients, each with its own client id. Default 4.</summary>
    public int NumClients { get; init; } = 4;

    /// <summary><c>requests_per_client</c>: requests each client sends, one at a time. Default 20.</summary>
    public int RequestsPerClient { get; init; } = 20;

    /// <summary><c>key_space</c>: size of the key pool the workload picks keys from. Default 10.</summary>
    public int KeySpace { get; init; } = 10;
}
