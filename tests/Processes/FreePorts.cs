using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace RaftOrleans.Tests.Processes;

/// <summary>
/// Runs of consecutive free TCP ports on 127.0.0.1 (cluster mode gives node N the port base + N - 1), below the kernel's
/// ephemeral range (ip_local_port_range: 32768 and up by default). A port in that range, free while its silo is down (the
/// tests kill silos), can be taken meanwhile as the local port of an outgoing connection: even by a connection to that very
/// port, as the client and the other silos keep reconnecting to the dead silo (TCP's self-connect). The silo's restart then
/// fails with "Address already in use" (seen once in CI, with ports 53,317–53,331).
/// </summary>
internal static class FreePorts
{
    private const int Floor = 20_000;
    private static readonly int Ceiling = Math.Max(EphemeralFloor(), Floor + 5_000);

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
            var first = Random.Shared.Next(Floor, Ceiling - count);
            if (Enumerable.Range(first, count).All(IsFree)) return first;
        }
        throw new InvalidOperationException($"found no {count} consecutive free ports");
    }

    /// <summary>The first port the kernel gives outgoing connections (Linux; 32768, its default, elsewhere or when unreadable).</summary>
    private static int EphemeralFloor()
    {
        const string Range = "/proc/sys/net/ipv4/ip_local_port_range"; // "32768\t60999"
        var first = File.Exists(Range) ? File.ReadAllText(Range).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() : null;
        return int.TryParse(first, CultureInfo.InvariantCulture, out var port) ? port : 32_768;
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
