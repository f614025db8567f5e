using System.Diagnostics;
using System.Text;

namespace RaftOrleans.Tests.Processes;

/// <summary>
/// One silo process, run as a user runs it (`dotnet RaftOrleans.Silo.dll --config raft.toml --node N`), its
/// output kept in a log file. Signals go to its process id only.
/// </summary>
internal sealed class SiloProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Lock _outputLock = new();

    private SiloProcess(Process process, int? node)
    {
        _process = process;
        Node = node;
        _process.OutputDataReceived += (_, line) => Append(line.Data);
        _process.ErrorDataReceived += (_, line) => Append(line.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The silo program, as built beside the tests (same configuration: Debug or Release).</summary>
    public static string Dll { get; } = FindDll();

    public int? Node { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Output
    {
        get
        {
            lock (_outputLock) return _output.ToString();
        }
    }

    public static SiloProcess Start(string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet", [Dll, .. arguments])
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        var node = Array.IndexOf(arguments, "--node") is var at and >= 0 && int.TryParse(arguments[at + 1], out var id) ? id : (int?)null;
        return new SiloProcess(Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start"), node);
    }

    /// <summary>Until the silo says it serves, or fails naming what its output said.</summary>
    public async Task WaitStartedAsync(TimeSpan deadline)
    {
        var clock = Stopwatch.StartNew();
        while (!Output.Contains($"Process id {Pid}.", StringComparison.Ordinal))
        {
            if (HasExited) throw new InvalidOperationException($"silo for node {Node} exited ({_process.ExitCode}): {Output}");
            if (clock.Elapsed > deadline) throw new TimeoutException($"silo for node {Node} did not start within {deadline.TotalSeconds:F0} s: {Output}");
            await Task.Delay(50);
        }
    }

    /// <summary>For a silo expected to refuse to start: its exit code, within the deadline.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan deadline)
    {
        using var timeout = new CancellationTokenSource(deadline);
        await _process.WaitForExitAsync(timeout.Token);
        _process.WaitForExit(); // drains the output events
        return _process.ExitCode;
    }

    public void Signal(int signal) => Signals.Send(Pid, signal);

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_outputLock) _output.AppendLine(line);
    }

    private static string FindDll()
    {
        // tests/bin/<Configuration>/<framework>/ -> silo/bin/<Configuration>/<framework>/RaftOrleans.Silo.dll
        var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = testBin.Name;
        var configuration = testBin.Parent!.Name;
        var path = Path.Combine(Configuration.RepositoryRoot.Path, "silo", "bin", configuration, framework, "RaftOrleans.Silo.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"the silo is not built at {path}");
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited) Signal(Signals.Kill); // SIGKILL ends a paused process too
            _process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
            // gone already
        }
        _process.Dispose();
    }
}
