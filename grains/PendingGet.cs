using RaftOrleans.Kv;

namespace RaftOrleans;

/// <summary>A get waiting for its ReadIndex confirmation on the leader.</summary>
internal sealed record PendingGet(string Key, TaskCompletionSource<KvResult> Completion);
