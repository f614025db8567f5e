namespace RaftOrleans.Configuration;

public enum StorageKind
{
    File,
    Memory,
}
