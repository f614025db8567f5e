using RaftOrleans.Client.CommandLine;
using RaftOrleans.Configuration;

namespace RaftOrleans.Client.Bench;

/// <summary>
/// The bench command line, checked. The defaults are those of the etcd loader in ../shared/etcd-compare
/// where it has the same knob (keys, value size, warm-up), so that the two are run alike unless told otherwise.
/// </summary>
internal sealed record BenchOptions(int Clients, int Seconds, BenchMix Mix, int Keys, int ValueSize, int Warmup, bool Json, int? SiloPid)
{
    public const string Usage =
        "bench [--clients C] [--seconds S] [--mix put|mixed|get] [--keys K] [--value-size B] [--warmup W] [--json] [--silo-pid PID]";

    public string MixName => Mix.ToString().ToLowerInvariant();

    /// <exception cref="UsageException">An option out of range, an unknown mix, or values the gateway would refuse.</exception>
    public static BenchOptions From(ParsedArguments args, RaftConfig config)
    {
        args.Expect(Usage, 0, "--clients", "--seconds", "--mix", "--keys", "--value-size", "--warmup", "--json", "--silo-pid");
        var mix = args.Text("--mix", "put").ToLowerInvariant() switch
        {
            "put" => BenchMix.Put,
            "mixed" => BenchMix.Mixed,
            "get" => BenchMix.Get,
            var other => throw new UsageException($"--mix must be put, mixed or get, got '{other}'"),
        };
        var valueSize = args.Int("--value-size", 1, 16)!.Value;
        // Caught here rather than measured as a run of Invalid answers.
        if (valueSize > config.Gateway.MaxValueBytes)
        {
            throw new UsageException($"--value-size {valueSize} is over the gateway's max_value_bytes ({config.Gateway.MaxValueBytes})");
        }
        return new BenchOptions(
            Clients: args.Int("--clients", 1, 64)!.Value,
            Seconds: args.Int("--seconds", 1, 10)!.Value,
            Mix: mix,
            Keys: args.Int("--keys", 1, 1000)!.Value,
            ValueSize: valueSize,
            Warmup: args.Int("--warmup", 0, 1)!.Value,
            Json: args.Flag("--json"),
            SiloPid: args.Int("--silo-pid", 1));
    }
}
