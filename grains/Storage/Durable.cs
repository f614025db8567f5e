using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

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

    /// <summary>
    /// Replaces <paramref name="path"/> with <paramref name="contents"/> all at once: written aside, flushed (with
    /// <paramref name="fsync"/>), renamed into place, and the directory flushed, so a crash leaves the old file or the
    /// new one, never a part.
    /// </summary>
    public static void ReplaceFile(string path, ReadOnlySpan<byte> contents, bool fsync)
    {
        var temporary = path + ".tmp";
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            file.Write(contents);
            file.Flush(flushToDisk: fsync);
        }
        File.Move(temporary, path, overwrite: true);
        if (fsync) SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>
    /// Reserves <paramref name="length"/> bytes for <paramref name="file"/> (filled with zeros), as etcd does for
    /// its WAL segments: appends into reserved space change no file size, so <see cref="DataSync"/> need not
    /// commit the file system's journal, which on ext4 makes each flush about twice as fast (measured here). A
    /// file system that cannot reserve space simply grows the file as before.
    /// </summary>
    public static void Preallocate(SafeFileHandle file, long length)
    {
        if (!OperatingSystem.IsLinux()) return;
        var fd = (int)file.DangerousGetHandle();
        _ = posix_fallocate(fd, 0, length); // returns an errno; on failure the file just grows as it is written
    }

    /// <summary>
    /// Makes the written data of <paramref name="file"/> durable: fdatasync(2), which skips metadata such as the
    /// modification time but includes a changed size. Other systems get a full flush.
    /// </summary>
    public static void DataSync(SafeFileHandle file)
    {
        if (!OperatingSystem.IsLinux())
        {
            RandomAccess.FlushToDisk(file);
            return;
        }
        if (fdatasync((int)file.DangerousGetHandle()) != 0)
            throw new IOException($"fdatasync failed (errno {Marshal.GetLastPInvokeError()})");
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int posix_fallocate(int fd, long offset, long length);

    [DllImport("libc", SetLastError = true)]
    private static extern int fdatasync(int fd);

    [DllImport("libc", SetLastError = true)]
    private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int fsync(int fd);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);
}
