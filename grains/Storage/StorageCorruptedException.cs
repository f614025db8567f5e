namespace RaftOrleans.Storage;

/// <summary>
/// Stored Raft state is damaged somewhere other than a torn last write. The node refuses to start rather
/// than lose acknowledged data silently; the message names the file and the byte offset.
/// </summary>
public sealed class StorageCorruptedException : Exception
{
    public StorageCorruptedException(string file, long offset, string reason)
        : base($"{file}: corrupted at byte {offset}: {reason}. The node will not start on damaged data; " +
               "restore the directory from a replica or wipe it to rejoin empty.")
    {
        File = file;
        Offset = offset;
    }

    public string File { get; }
    public long Offset { get; }
}
