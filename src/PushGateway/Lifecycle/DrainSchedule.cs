namespace PushGateway.Lifecycle;

/// <summary>
/// When, during a drain, each connection is told to go. The grace period is cut into one slot per
/// connection and each close falls at a random point of its slot: closes are spread evenly over the
/// whole period (so the rest of the fleet sees a steady trickle of reconnects, not a storm), no two
/// runs of a fleet line up, and none falls after the period.
/// </summary>
public static class DrainSchedule
{
    /// <summary>Offsets from the start of the drain, ascending, each in [0, <paramref name="gracePeriod"/>); all zero for a zero period.</summary>
    public static TimeSpan[] Spread(int connections, TimeSpan gracePeriod, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(connections);
        ArgumentOutOfRangeException.ThrowIfLessThan(gracePeriod, TimeSpan.Zero);
        var offsets = new TimeSpan[connections];
        if (connections == 0 || gracePeriod == TimeSpan.Zero) return offsets;
        var slotTicks = (double)gracePeriod.Ticks / connections;
        var lastTick = gracePeriod.Ticks - 1;
        for (var i = 0; i < connections; i++)
        {
            // NextDouble() < 1, so (i + jitter) * slot < gracePeriod; the clamp only guards rounding.
            var ticks = (long)((i + random.NextDouble()) * slotTicks);
            offsets[i] = TimeSpan.FromTicks(Math.Min(ticks, lastTick));
        }
        return offsets;
    }
}
