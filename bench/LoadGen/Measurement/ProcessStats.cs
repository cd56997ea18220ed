using System.Globalization;

namespace LoadGen.Measurement;

/// <summary>CPU time and resident memory of other processes (the servers under test), read from /proc.</summary>
public static class ProcessStats
{
    // USER_HZ: the unit of utime/stime in /proc/PID/stat; 100 on every Linux this runs on (getconf CLK_TCK).
    private const double MsPerTick = 1000.0 / 100;

    public static bool AllAlive(IEnumerable<int> pids) => pids.All(pid => Directory.Exists($"/proc/{pid}"));

    /// <summary>utime + stime of all <paramref name="pids"/> in ms; a pid that is gone counts 0.</summary>
    public static double CpuMs(IEnumerable<int> pids)
    {
        double total = 0;
        foreach (var pid in pids)
        {
            try
            {
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                // The command name (field 2) may hold spaces; count fields after its closing parenthesis.
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                total += (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) * MsPerTick;
            }
            catch (IOException) { }
        }
        return total;
    }

    /// <summary>VmRSS of all <paramref name="pids"/> in KiB.</summary>
    public static long RssKb(IEnumerable<int> pids)
    {
        long total = 0;
        foreach (var pid in pids)
        {
            try
            {
                foreach (var line in File.ReadLines($"/proc/{pid}/status"))
                {
                    if (!line.StartsWith("VmRSS:", StringComparison.Ordinal)) continue;
                    total += long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                    break;
                }
            }
            catch (IOException) { }
        }
        return total;
    }

    /// <summary>Busy and total CPU time of the whole machine in ms (all cores), from /proc/stat.</summary>
    public static (double BusyMs, double TotalMs) MachineCpuMs()
    {
        try
        {
            var first = File.ReadLines("/proc/stat").First();
            var v = first.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8)
                .Select(x => long.Parse(x, CultureInfo.InvariantCulture)).ToArray();
            var total = v.Sum();
            var idle = v[3] + v[4]; // idle + iowait
            return ((total - idle) * MsPerTick, total * MsPerTick);
        }
        catch (IOException) { return (0, 0); }
    }

    /// <summary>The one-minute load average: how busy the (shared) machine was, to judge a figure by.</summary>
    public static double LoadAverage()
    {
        try { return double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture); }
        catch (IOException) { return 0; }
    }
}
