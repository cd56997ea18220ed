using System.Diagnostics;

namespace PushGateway.Reliability.Measure;

/// <summary>
/// One monotonic clock for the whole run. The publisher and the clients live in this process, so a
/// payload's timestamp and its arrival are read from the same clock: delivery latency is exact.
/// </summary>
internal static class Clock
{
    private static readonly long Origin = Stopwatch.GetTimestamp();

    public static long NowMicros => (long)Stopwatch.GetElapsedTime(Origin).TotalMicroseconds;

    public static double NowSeconds => Stopwatch.GetElapsedTime(Origin).TotalSeconds;

    public static double MillisSince(long micros) => (NowMicros - micros) / 1000.0;
}
