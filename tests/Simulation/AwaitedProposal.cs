namespace RaftOrleans.Tests.Simulation;

/// <summary>
/// A client request a leader accepted at some index in <paramref name="Term"/>: the client's answer is what
/// the entry of that index and term returns when it applies on that leader. <paramref name="Attempt"/> tells
/// the client which of its tries this was, so an answer to an abandoned try is ignored.
/// </summary>
internal sealed record AwaitedProposal(SimulatedClient Client, int Attempt, long Term);
