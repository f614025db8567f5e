using System.Runtime.InteropServices;

namespace RaftOrleans.Storage;

/// <summary>File-system durability helpers.</summary>
internal static class Durable
{
    private const int ReadOnly = 0; // O_RDONLY

    /// <summary>
    /// Makes a rename or a new file in <paramref name="directory"/> durable: on Linux and macOS a directory
    /// entry is only on disk once the directory itself is fsynced. .NET will not open a directory as a file,
    /// so this calls open(2) and fsync(2) directly. Windows has no such call and needs none.
    /// </summary>
    public static void SyncDirectory(string directory)
    {
        if (OperatingSystem.IsWindows()) return;
        var fd = open(directory, ReadOnly);
        if (fd < 0) throw new IOException($"cannot open directory {directory} to fsync it (errno {Marshal.GetLastPInvokeError()})");
        try
        {
            if (fsync(fd) != 0) throw new IOException($"fsync of directory {directory} failed (errno {Marshal.GetLastPInvokeError()})");
        }
        finally
        {
            close(fd);
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int fsync(int fd);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);
}
