namespace RaftOrleans.Client.Connection;

/// <summary>No silo answered: the one failure every command reports the same way, exit code 3.</summary>
internal sealed class SiloUnreachableException(string message, Exception? cause = null) : Exception(message, cause)
{
    /// <summary>Embedded mode: nothing answered on [silo] gateway_port.</summary>
    /// <param name="hint">Said after the usual advice when the port took the connection (a silo is there) but no Orleans session followed.</param>
    public static SiloUnreachableException Embedded(int gatewayPort, Exception? cause = null, string hint = "") =>
        new($"cannot reach the silo at 127.0.0.1:{gatewayPort}: start it with `dotnet run --project silo`{hint}", cause);

    /// <summary>Cluster mode: Redis (where the gateways are listed) or every gateway it lists did not answer.</summary>
    public static SiloUnreachableException Cluster(string why, Exception? cause = null) =>
        new($"cannot reach the cluster: {why}", cause);
}
