using System.Globalization;

namespace PushGateway.Reliability.Processes;

/// <summary>A process' resident memory, open handles and threads, read from /proc at one moment.</summary>
/// <remarks>
/// RSS counts code pages too (RssFile, and RssShmem, where .NET keeps JIT-compiled code); those grow
/// while new code paths run for the first time. Anonymous memory (RssAnon: heaps, buffers) is where a leak shows.
/// </remarks>
internal sealed record ProcSample(int Pid, long RssBytes, long RssAnonBytes, int OpenFds, int Threads)
{
    public double RssMb => RssBytes / 1048576.0;

    public double RssAnonMb => RssAnonBytes / 1048576.0;

    /// <summary>Null when the process is gone (or /proc is not readable).</summary>
    public static ProcSample? Read(int pid)
    {
        try
        {
            long rss = 0, anonymous = 0;
            var threads = 0;
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) rss = Kilobytes(line);
                else if (line.StartsWith("RssAnon:", StringComparison.Ordinal)) anonymous = Kilobytes(line);
                else if (line.StartsWith("Threads:", StringComparison.Ordinal)) threads = int.Parse(line[8..].Trim(), CultureInfo.InvariantCulture);
            }
            var fds = Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd").Count();
            return new ProcSample(pid, rss, anonymous, fds, threads);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    private static long Kilobytes(string line) => 1024 * long.Parse(line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);

    public override string ToString() => $"pid {Pid}: rss {RssMb:F0} MB (anon {RssAnonMb:F0} MB), fds {OpenFds}, threads {Threads}";
}
