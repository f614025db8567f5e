using System.Diagnostics;

namespace RaftOrleans.Tests.Processes;

/// <summary>
/// A program from Debian's packages, installed with apt-get first if the machine has none (as the project's scripts
/// do): what the process tests need beyond the .NET SDK (redis-server, chromium).
/// </summary>
internal static class DebianPackage
{
    private static readonly Lock InstallLock = new();

    /// <summary>The path of <paramref name="program"/>, after installing <paramref name="package"/> if it was missing.</summary>
    public static string EnsureInstalled(string program, string package)
    {
        lock (InstallLock)
        {
            if (Which(program) is { } found) return found;
            Run("apt-get", "update -qq");
            Run("apt-get", $"install -y -qq {package}");
            return Which(program)
                   ?? throw new InvalidOperationException($"{program} is not installed and apt-get could not install it; install it (apt-get install {package})");
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
}
