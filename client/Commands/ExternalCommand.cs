using System.Diagnostics;

namespace RaftOrleans.Client.Commands;

/// <summary>A program the console runs for a fault (scripts/cluster.sh, a restart command): its output, or why it failed.</summary>
internal static class ExternalCommand
{
    /// <summary>Runs <paramref name="program"/> to its end and returns its standard output, trimmed.</summary>
    /// <exception cref="ExternalCommandException">It could not start or exited non-zero; the message holds its error output.</exception>
    public static async Task<string> RunAsync(string program, params string[] arguments)
    {
        var shown = string.Join(' ', [program, .. arguments]);
        Process? process;
        try
        {
            process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true });
        }
        catch (System.ComponentModel.Win32Exception notStarted)
        {
            throw new ExternalCommandException($"could not run `{shown}`: {notStarted.Message}");
        }
        using var _ = process ?? throw new ExternalCommandException($"could not run `{shown}`");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new ExternalCommandException($"`{shown}` failed (exit {process.ExitCode}): {(await error).Trim()} {(await output).Trim()}".TrimEnd());
        return (await output).Trim();
    }
}

/// <summary>An external command failed; the message says which and what it printed.</summary>
internal sealed class ExternalCommandException(string message) : Exception(message);
