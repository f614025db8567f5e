namespace RaftOrleans.Tests.Simulation;

/// <summary>The few shapes of randomness the simulation draws, so every draw goes through the one seeded generator.</summary>
internal static class RandomExtensions
{
    /// <summary>A duration uniformly in [min, max].</summary>
    public static TimeSpan NextTime(this Random random, TimeSpan min, TimeSpan max) =>
        min + TimeSpan.FromTicks((long)(random.NextDouble() * (max - min).Ticks));

    public static bool Chance(this Random random, double probability) => random.NextDouble() < probability;

    public static TimeSpan Ms(this int milliseconds) => TimeSpan.FromMilliseconds(milliseconds);
}
