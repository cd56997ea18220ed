namespace FeedSimulator.Smog;

/// <summary>
/// Local time for the simulated cities (all CET/CEST). The EU summer-time rule is computed here rather than
/// read from tzdata, so output does not depend on the container having time-zone files.
/// </summary>
internal static class CentralEuropeanTime
{
    public static DateTime ToLocal(DateTimeOffset instant)
    {
        var utc = instant.UtcDateTime;
        return DateTime.SpecifyKind(utc.AddHours(IsSummerTime(utc) ? 2 : 1), DateTimeKind.Unspecified);
    }

    /// <summary>Summer time runs from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of October.</summary>
    public static bool IsSummerTime(DateTime utc)
    {
        var start = LastSunday(utc.Year, 3).AddHours(1);
        var end = LastSunday(utc.Year, 10).AddHours(1);
        return utc >= start && utc < end;
    }

    private static DateTime LastSunday(int year, int month)
    {
        var last = new DateTime(year, month, DateTime.DaysInMonth(year, month), 0, 0, 0, DateTimeKind.Utc);
        return last.AddDays(-(int)last.DayOfWeek);
    }
}
