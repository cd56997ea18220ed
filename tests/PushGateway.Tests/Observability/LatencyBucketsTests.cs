using PushGateway.Observability;

namespace PushGateway.Tests.Observability;

public sealed class LatencyBucketsTests
{
    [Fact]
    public void Values_land_in_the_bucket_whose_upper_bound_holds_them()
    {
        var buckets = new LatencyBuckets();
        buckets.Record(0.05);
        buckets.Record(0.1);    // a bound is inclusive
        buckets.Record(0.11);
        buckets.Record(3);
        buckets.Record(60_000); // past the last bound: the open bucket

        var snapshot = buckets.Snapshot();
        Assert.Equal(LatencyBuckets.BoundariesMs.Length + 1, snapshot.Counts.Count);
        Assert.Equal(2, snapshot.Counts[0]);
        Assert.Equal(1, snapshot.Counts[1]);
        Assert.Equal(1, snapshot.Counts[Array.IndexOf(LatencyBuckets.BoundariesMs, 5.0)]);
        Assert.Equal(1, snapshot.Counts[^1]);
        Assert.Equal(5, snapshot.Count);
        Assert.Equal(60_003.26, snapshot.SumMs, precision: 2);
    }

    [Fact]
    public void The_bounds_reach_from_a_tenth_of_a_millisecond_to_seconds()
    {
        Assert.Equal(0.1, LatencyBuckets.BoundariesMs[0]);
        Assert.Equal(2500, LatencyBuckets.BoundariesMs[^1]);
        Assert.Equal(LatencyBuckets.BoundariesMs.Order(), LatencyBuckets.BoundariesMs);
    }
}
