namespace FeedSimulator;

/// <summary>Turns a model's seconds-since-start into a timestamp, at tick precision (TimeSpan.FromSeconds would round).</summary>
internal static class SimulatedClock
{
    public static DateTimeOffset At(DateTimeOffset start, double secondsSinceStart) =>
        start.AddTicks((long)(secondsSinceStart * TimeSpan.TicksPerSecond));

    public static TimeSpan ToTimeSpan(double seconds) => TimeSpan.FromTicks((long)(seconds * TimeSpan.TicksPerSecond));
}
