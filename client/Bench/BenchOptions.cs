using System.CommandLine;
using RaftOrleans.Client.CommandLine;
using RaftOrleans.Configuration;

namespace RaftOrleans.Client.Bench;

/// <summary>
/// The bench command line, checked. The defaults are those of the etcd loader in ../shared/etcd-compare
/// where it has the same knob (keys, value size, warm-up), so that the two are run alike unless told otherwise.
/// </summary>
internal sealed record BenchOptions(int Clients, int Seconds, BenchMix Mix, int Keys, int ValueSize, int Warmup, bool Json, int? SiloPid)
{
    private static readonly Option<int?> ClientsOption = Options.Int("--clients", 1, 64, "Concurrent closed-loop clients", "C");
    private static readonly Option<int?> SecondsOption = Options.Int("--seconds", 1, 10, "Measured seconds, after the warm-up", "S");
    private static readonly Option<string?> MixOption = Options.Text("--mix", "put (fresh keys), mixed (50/25/25 get/put/delete over --keys) or get", "put|mixed|get");
    private static readonly Option<int?> KeysOption = Options.Int("--keys", 1, 1000, "Keys of the mixed and get mixes", "K");
    private static readonly Option<int?> ValueSizeOption = Options.Int("--value-size", 1, 16, "Bytes per value", "B");
    private static readonly Option<int?> WarmupOption = Options.Int("--warmup", 0, 1, "Seconds of warm-up, not measured", "W");
    private static readonly Option<bool> JsonOption = Options.Flag("--json", "One JSON object instead of the report");
    private static readonly Option<int?> SiloPidOption = Options.Int("--silo-pid", 1, null, "The silo's process id, to report its CPU", "PID");

    public string MixName => Mix.ToString().ToLowerInvariant();

    /// <summary>The `bench` command and its options.</summary>
    public static Command Command() => new("bench", "A closed-loop load with a live progress line: ops/s, p50/p90/p99/max latency, errors")
    {
        ClientsOption, SecondsOption, MixOption, KeysOption, ValueSizeOption, WarmupOption, JsonOption, SiloPidOption,
    };

    /// <exception cref="UsageException">An unknown mix, or values the gateway would refuse.</exception>
    public static BenchOptions From(ParseResult args, RaftConfig config)
    {
        var mix = (args.GetValue(MixOption) ?? "put").ToLowerInvariant() switch
        {
            "put" => BenchMix.Put,
            "mixed" => BenchMix.Mixed,
            "get" => BenchMix.Get,
            var other => throw new UsageException($"--mix must be put, mixed or get, got '{other}'"),
        };
        var valueSize = args.GetValue(ValueSizeOption)!.Value;
        // Caught here rather than measured as a run of Invalid answers.
        if (valueSize > config.Gateway.MaxValueBytes)
        {
            throw new UsageException($"--value-size {valueSize} is over the gateway's max_value_bytes ({config.Gateway.MaxValueBytes})");
        }
        return new BenchOptions(
            Clients: args.GetValue(ClientsOption)!.Value,
            Seconds: args.GetValue(SecondsOption)!.Value,
            Mix: mix,
            Keys: args.GetValue(KeysOption)!.Value,
            ValueSize: valueSize,
            Warmup: args.GetValue(WarmupOption)!.Value,
            Json: args.GetValue(JsonOption),
            SiloPid: args.GetValue(SiloPidOption));
    }
}
