using System.Diagnostics;

namespace RaftOrleans.Tests.Processes;

/// <summary>POSIX signals to a process by id, sent with kill(1) as a person would: `kill -KILL`, `-STOP`, `-CONT`.</summary>
internal static class Signals
{
    public const string Kill = "KILL";
    public const string Terminate = "TERM";
    public const string Continue = "CONT";
    public const string Stop = "STOP";

    public static void Send(int pid, string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", [$"-{signal}", pid.ToString()]) { RedirectStandardError = true })
                         ?? throw new InvalidOperationException("kill did not start");
        var error = kill.StandardError.ReadToEnd();
        kill.WaitForExit();
        if (kill.ExitCode != 0) throw new InvalidOperationException($"kill -{signal} {pid} failed: {error.Trim()}");
    }
}
