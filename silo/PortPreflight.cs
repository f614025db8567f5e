using System.Net;
using System.Net.Sockets;
using RaftOrleans.Configuration;

namespace RaftOrleans.Silo;

/// <summary>
/// Before the silo starts: each port it will listen on is free. Otherwise the start fails deep in Orleans or Kestrel
/// with "Address already in use" and no word of which port or which raft.toml key; this says both, in one line.
/// (Another process may still take a port in the moment between this check and the start; then that error stands.)
/// </summary>
internal static class PortPreflight
{
    /// <summary>The first port of this silo that is taken, as a line for the user; null if all are free.</summary>
    public static string? Problem(RaftConfig config, int? node)
    {
        var address = config.Cluster.Mode == ClusterMode.Cluster ? IPAddress.Parse(config.Silo.Address) : IPAddress.Loopback;
        var ports = new List<(int Port, string Key, IPAddress Address)>
        {
            (config.SiloPortOf(node), "silo.silo_port", address),
            (config.GatewayPortOf(node), "silo.gateway_port", address),
        };
        if (config.HttpPortOf(node) is { } http) ports.Add((http, "silo.http_port", IPAddress.Loopback));
        foreach (var (port, key, at) in ports)
        {
            if (BindProblem(at, port) is not { } problem) continue;
            var offset = config.Cluster.Mode == ClusterMode.Cluster ? $" (node {node}'s: {key} + {node - 1})" : "";
            return $"port {port} on {at}{offset} {problem}; stop what holds it, or choose another {key} (or silo.address) in raft.toml" +
                   (key == "silo.http_port" ? " (0 turns the status page and /metrics off)" : "");
        }
        return null;
    }

    /// <summary>Null when the port can be bound, else why not (taken, an address not of this machine, a privileged port...).</summary>
    private static string? BindProblem(IPAddress address, int port)
    {
        var listener = new TcpListener(address, port);
        try
        {
            listener.Start();
            return null;
        }
        catch (SocketException error)
        {
            return error.SocketErrorCode == SocketError.AddressAlreadyInUse ? "is already in use by another process" : $"cannot be bound ({error.Message})";
        }
        finally
        {
            listener.Stop();
        }
    }
}
