using Microsoft.Extensions.Logging;

namespace RaftOrleans.Silo;

/// <summary>
/// The silo's console log: our own categories at the configured level, Orleans' only when something is wrong (all
/// of it at Debug or finer, where seeing both helps). Everything can be silenced at once (<see cref="Mute"/>) when
/// start-up has failed and said why in one line: the host still leaves the cluster gracefully, and Orleans reports
/// every message that fails on the way out, with stack traces.
/// </summary>
internal static class SiloLogging
{
    private static volatile bool _muted;

    public static void Mute() => _muted = true;

    public static void Configure(ILoggingBuilder logging, LogLevel level)
    {
        logging.ClearProviders();
        logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
        // Every rule goes through Allow, so that Mute silences every category, whichever rule applies to it.
        logging.AddFilter((_, l) => Allow(l, level < LogLevel.Information ? level : LogLevel.Warning));
        logging.AddFilter("RaftOrleans", l => Allow(l, level));
        if (level < LogLevel.Information) return;

        // In cluster mode a dead or paused silo is a normal event; Orleans reports every message it could not
        // deliver to it, every failed connection attempt and every missed probe, each with a stack trace. Raft
        // counts such messages as lost and says what it does about them; Orleans' membership still logs its
        // verdicts (a silo declared dead).
        Quieter(logging, "Orleans.Messaging", LogLevel.Critical);
        Quieter(logging, "Orleans.Runtime.Messaging", LogLevel.Critical);
        Quieter(logging, "Orleans.Runtime.MembershipService.SiloHealthMonitor", LogLevel.Error);
        Quieter(logging, "Orleans.Runtime.GrainDirectory", LogLevel.Error);
        // A start that fails is said once, in one line, by the program; these would repeat it with stack traces.
        Quieter(logging, "Orleans.Runtime.SiloLifecycleSubject", LogLevel.Critical);
        Quieter(logging, "Orleans.Runtime.Silo", LogLevel.Critical);
        Quieter(logging, "Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
    }

    private static void Quieter(ILoggingBuilder logging, string category, LogLevel minimum) =>
        logging.AddFilter(category, l => Allow(l, minimum));

    private static bool Allow(LogLevel level, LogLevel minimum) => !_muted && level >= minimum;
}
