using System.Runtime.InteropServices;

namespace RaftOrleans.Tests.Processes;

/// <summary>
/// POSIX signals to a process by id (Linux numbers), what `kill -KILL`, `-STOP` and `-CONT` send; through libc, so
/// the tests need no kill(1) on the machine.
/// </summary>
internal static class Signals
{
    public const int Kill = 9;
    public const int Continue = 18;
    public const int Stop = 19;

    public static void Send(int pid, int signal)
    {
        if (SysKill(pid, signal) != 0)
            throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

#pragma warning disable SYSLIB1054 // LibraryImport would need unsafe code for one call that DllImport marshals as well
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SysKill(int pid, int signal);
#pragma warning restore SYSLIB1054
}
