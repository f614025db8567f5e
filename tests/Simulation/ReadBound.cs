namespace RaftOrleans.Tests.Simulation;

/// <summary>
/// When a read began: the highest log index of any write acknowledged to any client so far, and the model's
/// state index (the newest committed index any node had applied), never below the former.
/// </summary>
internal readonly record struct ReadBound(long AcknowledgedWrite, long ModelState);
