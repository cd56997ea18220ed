namespace FeedSimulator.Serialization;

/// <summary>
/// Decimals with a fixed scale, so the JSON shows a constant number of decimals (1.08420, 58.0) instead of the
/// shortest double form (1.0842, 58).
/// </summary>
internal static class FixedPoint
{
    public static decimal ToDecimal(long units, byte scale)
    {
        var magnitude = (ulong)Math.Abs(units);
        return new decimal((int)(uint)magnitude, (int)(uint)(magnitude >> 32), 0, units < 0, scale);
    }

    /// <summary>Rounds half away from zero, as people round measurements.</summary>
    public static decimal Round(double value, byte scale)
    {
        var units = (long)Math.Round(value * Math.Pow(10, scale), MidpointRounding.AwayFromZero);
        return ToDecimal(units, scale);
    }
}
