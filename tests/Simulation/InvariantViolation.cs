namespace RaftOrleans.Tests.Simulation;

/// <summary>A safety or liveness property failed; the message says which, where and when, for the seed's report.</summary>
internal sealed class InvariantViolation(string message) : Exception(message);
