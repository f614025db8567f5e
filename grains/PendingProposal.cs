using RaftOrleans.Kv;

namespace RaftOrleans;

/// <summary>A client request the leader appended at some index in <see cref="Term"/>, waiting for that entry to apply.</summary>
internal sealed record PendingProposal(long Term, TaskCompletionSource<KvResult> Completion);
