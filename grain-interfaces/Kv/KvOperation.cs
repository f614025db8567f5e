namespace RaftOrleans.Kv;

public enum KvOperation : byte
{
    Put = 1,
    Get = 2,
    Delete = 3,
}
