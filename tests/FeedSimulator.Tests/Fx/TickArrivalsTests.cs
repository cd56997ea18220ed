using FeedSimulator.Fx;
using FeedSimulator.Randomness;

namespace FeedSimulator.Tests.Fx;

public class TickArrivalsTests
{
    [Fact]
    public void Without_bursts_gaps_are_exponential_with_the_configured_mean()
    {
        var arrivals = new TickArrivals(50, 1, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(5), new SimRandom(7, "test"));

        var gaps = Gaps(arrivals, 100_000);

        var mean = gaps.Average();
        var sd = Math.Sqrt(gaps.Sum(g => (g - mean) * (g - mean)) / gaps.Length);
        Assert.InRange(mean, 0.02 * 0.98, 0.02 * 1.02);
        // An exponential's standard deviation equals its mean, and e^-1 of gaps are longer than the mean.
        Assert.InRange(sd / mean, 0.97, 1.03);
        Assert.InRange(gaps.Count(g => g > 0.02) / (double)gaps.Length, Math.Exp(-1) - 0.01, Math.Exp(-1) + 0.01);
    }

    [Fact]
    public void With_bursts_the_long_run_mean_gap_still_matches_the_configured_rate()
    {
        var arrivals = new TickArrivals(1, 4, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(5), new SimRandom(7, "test"));

        var gaps = Gaps(arrivals, 300_000);

        Assert.InRange(gaps.Average(), 0.94, 1.06);
    }

    [Fact]
    public void Bursts_make_tick_counts_overdispersed_while_plain_poisson_counts_are_not()
    {
        var plain = new TickArrivals(1, 1, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(5), new SimRandom(7, "test"));
        var bursty = new TickArrivals(1, 4, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(5), new SimRandom(7, "test"));

        // Variance over mean of counts in 10 s windows: 1 for a Poisson process, well above with bursts.
        Assert.InRange(DispersionIndex(plain, 200_000, 10), 0.9, 1.1);
        Assert.True(DispersionIndex(bursty, 200_000, 10) > 1.5);
    }

    [Fact]
    public void Peek_does_not_consume_the_next_arrival()
    {
        var arrivals = new TickArrivals(10, 4, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(5), new SimRandom(7, "test"));

        var peeked = arrivals.Peek();

        Assert.Equal(peeked, arrivals.Peek());
        Assert.Equal(peeked, arrivals.Next());
        Assert.True(arrivals.Next() > peeked);
    }

    private static double[] Gaps(TickArrivals arrivals, int count)
    {
        var gaps = new double[count];
        var previous = 0.0;
        for (var i = 0; i < count; i++)
        {
            var next = arrivals.Next();
            gaps[i] = next - previous;
            previous = next;
        }
        return gaps;
    }

    private static double DispersionIndex(TickArrivals arrivals, int ticks, double window)
    {
        var counts = new Dictionary<long, int>();
        var last = 0.0;
        for (var i = 0; i < ticks; i++)
        {
            last = arrivals.Next();
            var bucket = (long)(last / window);
            counts[bucket] = counts.GetValueOrDefault(bucket) + 1;
        }
        var windows = (long)(last / window);
        var values = Enumerable.Range(0, (int)windows).Select(w => (double)counts.GetValueOrDefault(w)).ToArray();
        var mean = values.Average();
        return values.Sum(v => (v - mean) * (v - mean)) / values.Length / mean;
    }
}
