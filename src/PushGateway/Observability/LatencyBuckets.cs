namespace PushGateway.Observability;

/// <summary>
/// Bucket boundaries of pushgw.delivery.latency, shared by the OpenTelemetry view and the /stats
/// histogram so both tell the same story: a healthy node sits well under a millisecond, a stalled
/// one reaches seconds.
/// </summary>
public sealed class LatencyBuckets
{
    public const string InstrumentName = "pushgw.delivery.latency";

    /// <summary>
    /// Upper bounds in milliseconds; a last, open-ended bucket holds everything above 2500 ms. Finer below
    /// 3 ms, where a healthy node's p99 and p99.9 sit: with only 1, 2 and 5 ms there, a p99 could not be
    /// told from its end-to-end figure (docs/benchmarks.md, 2026-12-07).
    /// </summary>
    public static readonly double[] BoundariesMs = [0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 25, 50, 100, 250, 500, 1000, 2500];

    private readonly long[] counts = new long[BoundariesMs.Length + 1];
    private long sumMicros;

    /// <summary>Lock-free: called once per written frame from every send loop.</summary>
    public void Record(double milliseconds)
    {
        var index = Array.BinarySearch(BoundariesMs, milliseconds);
        // An exact boundary belongs to its own bucket (upper bounds are inclusive, as in OpenTelemetry).
        if (index < 0) index = ~index;
        Interlocked.Increment(ref counts[index]);
        Interlocked.Add(ref sumMicros, (long)(milliseconds * 1000));
    }

    /// <summary>Cumulative since start; a reader subtracts two snapshots for a recent window.</summary>
    public LatencySnapshot Snapshot()
    {
        var copy = new long[counts.Length];
        for (var i = 0; i < copy.Length; i++) copy[i] = Volatile.Read(ref counts[i]);
        return new LatencySnapshot(BoundariesMs, copy, copy.Sum(), Volatile.Read(ref sumMicros) / 1000.0);
    }
}

/// <summary>Counts per bucket (one more than there are bounds), their total and the sum of the values.</summary>
public sealed record LatencySnapshot(IReadOnlyList<double> BoundsMs, IReadOnlyList<long> Counts, long Count, double SumMs);
