using System.Net;
using System.Net.Sockets;

namespace RaftOrleans.Tests.Processes;

/// <summary>Runs of consecutive free TCP ports on 127.0.0.1 (cluster mode gives node N the port base + N - 1).</summary>
internal static class FreePorts
{
    /// <summary>
    /// <paramref name="ranges"/> runs of <paramref name="count"/> consecutive free ports, back to back in one block: runs
    /// found one by one could overlap (each is free when found, and none is taken until the silo starts).
    /// </summary>
    public static int[] Ranges(int count, int ranges)
    {
        var first = Find(count * ranges);
        return Enumerable.Range(0, ranges).Select(i => first + i * count).ToArray();
    }

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
