namespace LoadGen.Measurement;

/// <summary>
/// The clock that scheduled send times are written in and latencies are read against: microseconds
/// since the Unix epoch from the system's real-time clock (DateTime.UtcNow, CLOCK_REALTIME on Linux).
/// Unlike Stopwatch timestamps it is comparable across processes, so the C# and Node publishers and
/// every receiving process agree on it. Only meaningful on one machine, and a clock step during a
/// run would show as a latency spike.
/// </summary>
public static class WallClock
{
    private static readonly long EpochTicks = DateTime.UnixEpoch.Ticks;

    public static long NowMicros => (DateTime.UtcNow.Ticks - EpochTicks) / 10;
}
