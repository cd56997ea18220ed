using PushGateway.Observability;

namespace PushGateway.Tests.Observability;

public sealed class LatencyBucketsTests
{
    [Fact]
    public void Values_land_in_the_bucket_whose_upper_bound_holds_them()
    {
        var buckets = new LatencyBuckets();
        buckets.Record(0.02);
        buckets.Record(0.05);   // a bound is inclusive
        buckets.Record(0.07);
        buckets.Record(2.5);
        buckets.Record(60_000); // past the last bound: the open bucket

        var snapshot = buckets.Snapshot();
        Assert.Equal(LatencyBuckets.BoundariesMs.Length + 1, snapshot.Counts.Count);
        Assert.Equal(2, snapshot.Counts[0]);
        Assert.Equal(1, snapshot.Counts[1]);
        Assert.Equal(1, snapshot.Counts[Array.IndexOf(LatencyBuckets.BoundariesMs, 3.0)]);
        Assert.Equal(1, snapshot.Counts[^1]);
        Assert.Equal(5, snapshot.Count);
        Assert.Equal(60_002.64, snapshot.SumMs, precision: 2);
    }

    [Fact]
    public void The_bounds_reach_from_fifty_microseconds_to_seconds_and_split_the_first_milliseconds()
    {
        Assert.Equal(0.05, LatencyBuckets.BoundariesMs[0]);
        Assert.Subset(LatencyBuckets.BoundariesMs.ToHashSet(), new HashSet<double> { 0.5, 0.75, 1, 1.5, 2, 3 });
        Assert.Equal(2500, LatencyBuckets.BoundariesMs[^1]);
        Assert.Equal(LatencyBuckets.BoundariesMs.Order(), LatencyBuckets.BoundariesMs);
    }
}
