using System.Runtime.InteropServices;

namespace LoadGen.Measurement;

/// <summary>
/// Sleeps until a <see cref="WallClock"/> time to within tens of microseconds, without spinning.
/// Thread.Sleep(1) oversleeps to ~1.1 ms, so a publisher ticking with it sent each message up to a
/// millisecond after its scheduled time, and that lateness counted as the server's latency (about
/// 0.5 ms of S1's p50 and 1 ms of its p99). On Linux this is clock_nanosleep on CLOCK_REALTIME, the
/// clock WallClock reads, with the thread's timer slack lowered from the default 50 us.
/// </summary>
public static partial class PreciseSleep
{
    private const int ClockRealtime = 0;
    private const int TimerAbstime = 1;
    private const int PrSetTimerslack = 29;
    private const int Eintr = 4;

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_nanosleep")]
    private static partial int ClockNanosleep(int clock, int flags, in Timespec request, IntPtr remaining);

    [LibraryImport("libc", EntryPoint = "prctl")]
    private static partial int Prctl(int option, nuint value, nuint a3, nuint a4, nuint a5);

    /// <summary>Asks for precise wake-ups on the calling thread; without it the kernel may defer one by 50 us.</summary>
    public static void TightenThisThread()
    {
        if (OperatingSystem.IsLinux()) Prctl(PrSetTimerslack, 1_000, 0, 0, 0);
    }

    /// <summary>Returns at or just after <paramref name="wallClockMicros"/> (never before), or at once if it has passed.</summary>
    public static void Until(long wallClockMicros)
    {
        if (!OperatingSystem.IsLinux())
        {
            if (WallClock.NowMicros < wallClockMicros) Thread.Sleep(1);
            return;
        }
        var request = new Timespec { Seconds = wallClockMicros / 1_000_000, Nanoseconds = wallClockMicros % 1_000_000 * 1_000 };
        // A signal (the runtime sends some) ends the sleep early with EINTR; an absolute deadline
        // makes sleeping again exact. Any other error would loop for ever, so it ends the wait.
        while (WallClock.NowMicros < wallClockMicros)
            if (ClockNanosleep(ClockRealtime, TimerAbstime, request, IntPtr.Zero) is not (0 or Eintr)) return;
    }
}
