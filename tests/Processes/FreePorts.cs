using System.Net;
using System.Net.Sockets;

namespace RaftOrleans.Tests.Processes;

/// <summary>Runs of consecutive free TCP ports on 127.0.0.1 (cluster mode gives node N the port base + N - 1).</summary>
internal static class FreePorts
{
    public static int Find(int count)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var first = Random.Shared.Next(20_000, 60_000);
            if (Enumerable.Range(first, count).All(IsFree)) return first;
        }
        throw new InvalidOperationException($"found no {count} consecutive free ports");
    }

    private static bool IsFree(int port)
    {
        try
        {
            var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
