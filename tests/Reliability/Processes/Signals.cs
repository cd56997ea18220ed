using System.Runtime.InteropServices;

namespace PushGateway.Reliability.Processes;

/// <summary>kill(2): .NET can only SIGKILL a process, and the rolling restart needs SIGTERM.</summary>
internal static partial class Signals
{
    public const int SigTerm = 15;
    public const int SigKill = 9;

    public static bool Send(int pid, int signal) => Kill(pid, signal) == 0;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
