namespace PushGateway.Reliability.Measure;

/// <summary>
/// A thread-safe latency histogram with 1% wide logarithmic buckets from 1 µs to over an hour:
/// precise enough to compare two p99s within 10%, and constant memory however long the run.
/// </summary>
internal sealed class LatencyHistogram
{
    private const double Growth = 1.01;
    private static readonly double LogGrowth = Math.Log(Growth);
    private readonly long[] buckets = new long[2400];
    private long count;

    public long Count => Interlocked.Read(ref count);

    public void RecordMicros(long micros)
    {
        var index = micros <= 1 ? 0 : Math.Min(buckets.Length - 1, (int)(Math.Log(micros) / LogGrowth));
        Interlocked.Increment(ref buckets[index]);
        Interlocked.Increment(ref count);
    }

    /// <summary>The latency in milliseconds below which <paramref name="quantile"/> of the samples fall (upper edge of the bucket); NaN when empty.</summary>
    public double PercentileMs(double quantile)
    {
        var total = Count;
        if (total == 0) return double.NaN;
        var rank = (long)Math.Ceiling(quantile * total);
        long seen = 0;
        for (var i = 0; i < buckets.Length; i++)
        {
            seen += Interlocked.Read(ref buckets[i]);
            if (seen >= rank) return Math.Pow(Growth, i + 1) / 1000.0;
        }
        return Math.Pow(Growth, buckets.Length) / 1000.0;
    }

    public void Reset()
    {
        for (var i = 0; i < buckets.Length; i++) Interlocked.Exchange(ref buckets[i], 0);
        Interlocked.Exchange(ref count, 0);
    }
}
