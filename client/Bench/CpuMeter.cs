using System.Diagnostics;

namespace RaftOrleans.Client.Bench;

/// <summary>
/// CPU use over the measured phase, as a share of the whole machine (all cores; 100% = every core busy),
/// the way the etcd loader reports it: the client itself, optionally the silo (by pid), the machine, and
/// every other user process. The point is to show who was busy: a client taking a large share measures
/// itself rather than the store, and other processes' load makes a figure noise. All but the client's own
/// share come from /proc (Linux); elsewhere they are absent.
/// </summary>
internal sealed class CpuMeter
{
    private readonly int? _siloPid;
    private readonly long _wallStart = Stopwatch.GetTimestamp();
    private readonly TimeSpan _ownStart = Process.GetCurrentProcess().TotalProcessorTime;
    private readonly ProcCpuSample? _start = ProcCpuSample.Read();

    public CpuMeter(int? siloPid) => _siloPid = siloPid;

    /// <summary>Percentages since this meter was made; null where the figure cannot be read here.</summary>
    public CpuUse Stop()
    {
        var wall = BenchSchedule.Seconds(Stopwatch.GetTimestamp() - _wallStart);
        var own = (Process.GetCurrentProcess().TotalProcessorTime - _ownStart).TotalSeconds;
        var client = wall > 0 ? 100 * own / (wall * Environment.ProcessorCount) : 0;
        if (_start is not { } start || ProcCpuSample.Read() is not { } end || end.MachineTotal <= start.MachineTotal)
        {
            return new CpuUse(client, null, null, null);
        }

        double Share(long jiffies) => 100.0 * jiffies / (end.MachineTotal - start.MachineTotal);
        // A process that started during the phase counts with all its time, one that ended with none.
        long Delta(int pid) => end.Processes[pid] - start.Processes.GetValueOrDefault(pid);
        var self = Environment.ProcessId;
        var others = end.Processes.Keys.Where(pid => pid != self && pid != _siloPid).Sum(Delta);
        double? silo = _siloPid is { } siloPid && end.Processes.ContainsKey(siloPid) ? Share(Delta(siloPid)) : null;
        return new CpuUse(client, silo, Share(end.MachineBusy - start.MachineBusy), Share(others));
    }
}
