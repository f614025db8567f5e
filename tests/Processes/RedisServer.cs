using System.Diagnostics;
using System.Net.Sockets;

namespace RaftOrleans.Tests.Processes;

/// <summary>
/// A redis-server of its own for one test, on 127.0.0.1 and a free port, killed (by its process id) when disposed.
/// Installed from Debian's packages first if the machine has none, as scripts/cluster.sh does.
/// </summary>
internal sealed class RedisServer : IDisposable
{
    private static readonly Lock InstallLock = new();
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
        var executable = EnsureInstalled();
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

    private static string EnsureInstalled()
    {
        lock (InstallLock)
        {
            if (Which("redis-server") is { } found) return found;
            Run("apt-get", "update -qq");
            Run("apt-get", "install -y -qq redis-server");
            return Which("redis-server")
                   ?? throw new InvalidOperationException("redis-server is not installed and apt-get could not install it; install it (apt-get install redis-server)");
        }
    }

    private static string? Which(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
        .Select(dir => Path.Combine(dir, name))
        .Concat(["/usr/bin/" + name, "/usr/sbin/" + name])
        .FirstOrDefault(File.Exists);

    private static void Run(string file, string arguments)
    {
        var start = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {arguments} failed ({process.ExitCode}): {error.Result}{output.Result}");
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
