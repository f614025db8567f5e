using RaftOrleans.Kv;
using RaftOrleans.Raft;
using RaftOrleans.State;

namespace RaftOrleans.Tests.Kv;

/// <summary>Applying one request at a time, as the KV tests do: each as the next entry of the log, in a batch of its own.</summary>
internal static class KvTestExtensions
{
    public static KvStateMachine NewInMemory() => new(new MemoryKvEngine());

    public static KvResult Apply(this KvStateMachine kv, KvRequest request) =>
        kv.Apply([Entry(kv.Applied.Index + 1, request)])[0]!;

    public static LogEntry Entry(long index, KvRequest request, long term = 1) => new(index, term, KvCommandCodec.Encode(request));

    public static Dictionary<string, string> Data(this KvStateMachine kv) => kv.ReadAll().Data;
}
