using System.Diagnostics;
using System.Net.Sockets;

namespace RaftOrleans.Tests.Processes;

/// <summary>
/// A redis-server of its own for one test, on 127.0.0.1 and a free port, killed (by its process id) when disposed.
/// Installed from Debian's packages first if the machine has none, as scripts/cluster.sh does.
/// </summary>
internal sealed class RedisServer : IDisposable
{
    private readonly Process _process;

    private RedisServer(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public string Endpoint => $"127.0.0.1:{Port}";

    public static async Task<RedisServer> StartAsync()
    {
        var executable = DebianPackage.EnsureInstalled("redis-server", "redis-server");
        var port = FreePorts.Find(1);
        var process = Process.Start(new ProcessStartInfo(executable,
            ["--bind", "127.0.0.1", "--port", port.ToString(), "--save", "", "--appendonly", "no"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException("redis-server did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var redis = new RedisServer(process, port);
        var clock = Stopwatch.StartNew();
        while (!await redis.AnswersAsync())
        {
            if (process.HasExited || clock.Elapsed > TimeSpan.FromSeconds(30))
            {
                redis.Dispose();
                throw new InvalidOperationException($"redis-server did not answer on {redis.Endpoint}");
            }
            await Task.Delay(50);
        }
        return redis;
    }

    private async Task<bool> AnswersAsync()
    {
        try
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync("127.0.0.1", Port);
            var stream = tcp.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer);
            return System.Text.Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited) Signals.Send(_process.Id, Signals.Kill);
            _process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
        _process.Dispose();
    }
}
