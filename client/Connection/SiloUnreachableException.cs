namespace RaftOrleans.Client.Connection;

/// <summary>No silo answered on the gateway port: the one failure every command reports the same way, exit code 3.</summary>
internal sealed class SiloUnreachableException(int gatewayPort, Exception? cause = null)
    : Exception($"cannot reach the silo at 127.0.0.1:{gatewayPort}: start it with `dotnet run --project silo`", cause);
