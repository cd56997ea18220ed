using PushGateway.Lifecycle;

namespace PushGateway.Tests.Lifecycle;

public sealed class DrainScheduleTests
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(20);

    [Fact]
    public void Closes_are_spread_over_the_whole_period_and_none_falls_after_it()
    {
        var offsets = DrainSchedule.Spread(1000, Grace, new Random(42));

        Assert.Equal(1000, offsets.Length);
        Assert.All(offsets, o => Assert.InRange(o, TimeSpan.Zero, Grace - TimeSpan.FromTicks(1)));
        Assert.Equal(offsets.Order(), offsets);
        // Even spread: each tenth of the period holds a tenth of the closes, so reconnects trickle.
        var perTenth = offsets.GroupBy(o => (int)(o.Ticks * 10 / Grace.Ticks)).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(Enumerable.Range(0, 10), perTenth.Keys.Order());
        Assert.All(perTenth.Values, n => Assert.Equal(100, n));
        Assert.True(offsets[0] < TimeSpan.FromSeconds(0.02), "the first close comes at once");
        Assert.True(offsets[^1] > Grace - TimeSpan.FromSeconds(0.02), "the last close uses the whole period");
    }

    [Fact]
    public void Jitter_differs_between_seeds_and_is_reproducible_for_one()
    {
        var a = DrainSchedule.Spread(50, Grace, new Random(1));
        var again = DrainSchedule.Spread(50, Grace, new Random(1));
        var b = DrainSchedule.Spread(50, Grace, new Random(2));

        Assert.Equal(a, again);
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void A_single_connection_still_closes_within_the_period()
    {
        for (var seed = 0; seed < 100; seed++)
        {
            var offsets = DrainSchedule.Spread(1, TimeSpan.FromSeconds(2), new Random(seed));
            Assert.InRange(Assert.Single(offsets), TimeSpan.Zero, TimeSpan.FromSeconds(2) - TimeSpan.FromTicks(1));
        }
    }

    [Fact]
    public void A_zero_period_closes_everyone_at_once_and_no_connections_need_no_schedule()
    {
        Assert.All(DrainSchedule.Spread(5, TimeSpan.Zero, new Random(3)), o => Assert.Equal(TimeSpan.Zero, o));
        Assert.Empty(DrainSchedule.Spread(0, Grace, new Random(3)));
    }

    [Fact]
    public void More_connections_than_ticks_in_the_period_still_stay_inside_it()
    {
        var offsets = DrainSchedule.Spread(10, TimeSpan.FromTicks(3), new Random(5));
        Assert.All(offsets, o => Assert.InRange(o.Ticks, 0, 2));
    }

    [Fact]
    public void Negative_inputs_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DrainSchedule.Spread(-1, Grace, new Random(0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => DrainSchedule.Spread(1, TimeSpan.FromSeconds(-1), new Random(0)));
    }
}
