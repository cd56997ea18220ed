using System.Diagnostics;

namespace PushGateway.Reliability.Processes;

/// <summary>
/// Every process the suite starts, so each one is killed when the run ends, however it ends
/// (normal exit, failure, Ctrl-C, SIGTERM). Each pid is also appended to a file that
/// scripts/faults.sh reads, so even a runner killed with SIGKILL leaves nothing behind.
/// </summary>
internal static class ChildProcesses
{
    private static readonly object Gate = new();
    private static readonly List<Process> Started = [];
    private static string? pidFile;

    public static void RecordPidsIn(string path)
    {
        pidFile = path;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
    }

    /// <summary>
    /// Starts <paramref name="file"/> with its output appended to <paramref name="logPath"/>. The shell
    /// redirects and then execs, so the pid is the program's own and no pipe of ours can fill up and
    /// stall the child while the runner is busy.
    /// </summary>
    public static Process Start(string file, IEnumerable<string> arguments, string logPath, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, WorkingDirectory = workingDirectory ?? "" };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("exec \"$0\" \"$@\" >>\"$RELIABILITY_LOG\" 2>&1 </dev/null");
        info.ArgumentList.Add(file);
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        info.Environment["RELIABILITY_LOG"] = logPath;
        lock (Gate)
        {
            var process = Process.Start(info) ?? throw new InvalidOperationException($"{file} did not start");
            Started.Add(process);
            if (pidFile is not null) File.AppendAllText(pidFile, process.Id + "\n");
            return process;
        }
    }

    /// <summary>Kills every started process that is still running; safe to call more than once and from any thread.</summary>
    public static void KillAll()
    {
        Process[] all;
        lock (Gate) all = [.. Started];
        foreach (var process in all)
        {
            try
            {
                if (!process.HasExited) Signals.Send(process.Id, Signals.SigKill);
            }
            catch (InvalidOperationException)
            {
                // Never started or already reaped.
            }
        }
        foreach (var process in all)
        {
            try
            {
                process.WaitForExit(2000);
            }
            catch (InvalidOperationException)
            {
            }
        }
    }
}
