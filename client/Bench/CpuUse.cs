namespace RaftOrleans.Client.Bench;

/// <summary>Shares of all cores over the measured phase, in percent; null where they could not be read.</summary>
internal sealed record CpuUse(double Client, double? Silo, double? Machine, double? Others);
