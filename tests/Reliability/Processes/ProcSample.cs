using System.Globalization;

namespace PushGateway.Reliability.Processes;

/// <summary>A process' resident memory, open handles and threads, read from /proc at one moment.</summary>
internal sealed record ProcSample(int Pid, long RssBytes, int OpenFds, int Threads)
{
    public double RssMb => RssBytes / 1048576.0;

    /// <summary>Null when the process is gone (or /proc is not readable).</summary>
    public static ProcSample? Read(int pid)
    {
        try
        {
            long rss = 0;
            var threads = 0;
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) rss = 1024 * long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                else if (line.StartsWith("Threads:", StringComparison.Ordinal)) threads = int.Parse(line[8..].Trim(), CultureInfo.InvariantCulture);
            }
            var fds = Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd").Count();
            return new ProcSample(pid, rss, fds, threads);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    public override string ToString() => $"pid {Pid}: rss {RssMb:F0} MB, fds {OpenFds}, threads {Threads}";
}
