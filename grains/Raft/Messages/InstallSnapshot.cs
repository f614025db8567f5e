using Orleans;

namespace RaftOrleans.Raft;

/// <summary>
/// InstallSnapshot RPC arguments (Figure 13): a leader whose log no longer holds what a follower needs sends
/// its snapshot instead, in chunks. <see cref="Data"/> is one chunk of the snapshot bytes starting at
/// <see cref="Offset"/>; <see cref="Done"/> marks the last. The core reads only the metadata: chunking and
/// the bytes are the shell's business.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record InstallSnapshot : RaftMessage
{
    [Id(0)] public required long LastIncludedIndex { get; init; }
    [Id(1)] public required long LastIncludedTerm { get; init; }
    [Id(2)] public required long Offset { get; init; }
    [Id(3)] public required byte[] Data { get; init; }
    [Id(4)] public required bool Done { get; init; }

    /// <summary>The configuration in force at the snapshot's last entry: the log that carried it is gone.</summary>
    [Id(5)] public required ClusterConfig Config { get; init; }
}
