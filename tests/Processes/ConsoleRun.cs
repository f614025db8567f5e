using System.Diagnostics;
using System.Text;
using RaftOrleans.Tests.Configuration;

namespace RaftOrleans.Tests.Processes;

/// <summary>A command run to its end from the repository root, as a user runs it: its exit code and its output.</summary>
internal static class ConsoleRun
{
    /// <summary>The client console (`dotnet RaftOrleans.Client.dll --config CONFIG ARGS`), the build beside the silo's.</summary>
    public static Task<(int Exit, string Output)> ClientAsync(
        string configPath, IReadOnlyDictionary<string, string> environment, TimeSpan deadline, params string[] arguments) =>
        RunAsync("dotnet", [ClientDll, "--config", configPath, .. arguments], environment, deadline);

    public static async Task<(int Exit, string Output)> RunAsync(
        string program, string[] arguments, IReadOnlyDictionary<string, string> environment, TimeSpan deadline)
    {
        var start = new ProcessStartInfo(program, arguments)
        {
            WorkingDirectory = RepositoryRoot.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (name, value) in environment) start.Environment[name] = value;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        var output = new StringBuilder();
        var outputLock = new Lock();
        void Append(string? line)
        {
            if (line is null) return;
            lock (outputLock) output.AppendLine(line);
        }
        process.OutputDataReceived += (_, line) => Append(line.Data);
        process.ErrorDataReceived += (_, line) => Append(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(deadline);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"`{program} {string.Join(' ', arguments)}` did not finish within {deadline.TotalSeconds:F0} s: {output}");
        }
        process.WaitForExit(); // drains the output events
        lock (outputLock) return (process.ExitCode, output.ToString());
    }

    private static string ClientDll
    {
        get
        {
            // Built beside the silo: silo/bin/<Configuration>/<framework>/ -> client/bin/<Configuration>/<framework>/.
            var siloBin = new DirectoryInfo(Path.GetDirectoryName(SiloProcess.Dll)!);
            var path = Path.Combine(RepositoryRoot.Path, "client", "bin", siloBin.Parent!.Name, siloBin.Name, "RaftOrleans.Client.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException($"the client is not built at {path}");
        }
    }
}
