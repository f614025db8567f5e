using System.Globalization;

namespace RaftOrleans.Client.Bench;

/// <summary>Jiffies of the machine (all cores) and of every user process, read from /proc at one moment.</summary>
internal sealed record ProcCpuSample(long MachineBusy, long MachineTotal, Dictionary<int, long> Processes)
{
    public static ProcCpuSample? Read()
    {
        try
        {
            // First line of /proc/stat: user nice system idle iowait irq softirq steal; busy is all but idle and iowait.
            var fields = File.ReadLines("/proc/stat").First()
                .Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8)
                .Select(field => long.Parse(field, CultureInfo.InvariantCulture)).ToArray();
            var total = fields.Sum();
            var processes = new Dictionary<int, long>();
            foreach (var directory in Directory.EnumerateDirectories("/proc"))
            {
                if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) &&
                    ReadProcess(pid) is { } jiffies)
                {
                    processes[pid] = jiffies;
                }
            }
            return new ProcCpuSample(total - fields[3] - fields[4], total, processes);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>utime + stime of a user process from /proc/PID/stat (fields 14, 15); null for kernel threads and the vanished.</summary>
    private static long? ReadProcess(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
            var rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var parent = int.Parse(rest[1], CultureInfo.InvariantCulture);
            // Kernel threads (kthreadd, pid 2, and its children) do the loopback and disk work our own load causes.
            if (pid == 2 || parent == 2)
            {
                return null;
            }
            return long.Parse(rest[11], CultureInfo.InvariantCulture) + long.Parse(rest[12], CultureInfo.InvariantCulture);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }
}
