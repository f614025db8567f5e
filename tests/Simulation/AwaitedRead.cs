using RaftOrleans.Kv;

namespace RaftOrleans.Tests.Simulation;

/// <summary>
/// A get a leader took in through ReadIndex: answered from its state machine when the core releases it in
/// Ready.ReadStates, or handed back to the client when it shows up in Ready.FailedReads.
/// <paramref name="Began"/> is what the cluster had done when the client began the read (its first try): the
/// answer must come from a state at least that new.
/// </summary>
internal sealed record AwaitedRead(SimulatedClient Client, int Attempt, KvRequest Request, ReadBound Began);

/// <summary>
/// When a read began: the highest log index of any write acknowledged to any client so far, and the model's
/// state index (the newest committed index any node had applied), never below the former.
/// </summary>
internal readonly record struct ReadBound(long AcknowledgedWrite, long ModelState);
