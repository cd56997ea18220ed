using System.Numerics;

namespace LoadGen.Measurement;

/// <summary>
/// A log-linear latency histogram in the manner of HdrHistogram: exact below 1,024 µs, then 512
/// linear sub-buckets per power of two (relative error under 0.2%) up to 60 s. Recording is
/// lock-free, so every client of a process shares one; histograms of several processes merge by
/// adding bucket counts, which is why reports carry the buckets and not only percentiles.
/// </summary>
public sealed class LatencyHistogram
{
    public const long MaxValueMicros = 60_000_000;
    private const int SubBucketBits = 10;
    private const int SubBucketCount = 1 << SubBucketBits;       // 1024
    private const int HalfCount = SubBucketCount / 2;            // 512
    public static readonly int BucketCount = IndexOf(MaxValueMicros) + 1;

    private readonly long[] _counts = new long[BucketCount];
    private long _total;
    private long _sum;
    private long _max;
    private long _overflow;

    public long Count => Volatile.Read(ref _total);
    public long Max => Volatile.Read(ref _max);
    public long Overflow => Volatile.Read(ref _overflow);
    public double Mean => Count == 0 ? 0 : (double)Volatile.Read(ref _sum) / Count;

    public static int IndexOf(long value)
    {
        if (value < SubBucketCount) return (int)Math.Max(0, value);
        var msb = 63 - BitOperations.LeadingZeroCount((ulong)value);
        var shift = msb - (SubBucketBits - 1);
        var top = (int)(value >> shift);                         // in [512, 1023]
        return SubBucketCount + (shift - 1) * HalfCount + (top - HalfCount);
    }

    /// <summary>The highest value that lands in bucket <paramref name="index"/> (what percentiles report).</summary>
    public static long HighestEquivalent(int index)
    {
        if (index < SubBucketCount) return index;
        var shift = (index - SubBucketCount) / HalfCount + 1;
        var top = (long)((index - SubBucketCount) % HalfCount + HalfCount);
        return (top << shift) + (1L << shift) - 1;
    }

    public void Record(long micros)
    {
        if (micros < 0) micros = 0;
        if (micros > MaxValueMicros) { Interlocked.Increment(ref _overflow); micros = MaxValueMicros; }
        Interlocked.Increment(ref _counts[IndexOf(micros)]);
        Interlocked.Increment(ref _total);
        Interlocked.Add(ref _sum, micros);
        long seen;
        while (micros > (seen = Volatile.Read(ref _max)) && Interlocked.CompareExchange(ref _max, micros, seen) != seen) { }
    }

    public void Add(LatencyHistogram other)
    {
        for (var i = 0; i < BucketCount; i++) _counts[i] += other._counts[i];
        _total += other._total;
        _sum += other._sum;
        _max = Math.Max(_max, other._max);
        _overflow += other._overflow;
    }

    /// <summary>
    /// How many of <paramref name="total"/> values lie at or below the <paramref name="percentile"/>: the
    /// tolerance keeps 99.9 % of 1,000 at 999 (99.9 / 100 * 1000 is 999.0000000000001 in doubles).
    /// </summary>
    public static long Rank(double percentile, long total) => Math.Max(1, (long)Math.Ceiling(percentile * total / 100 - 1e-9));

    /// <summary>The value at or below which <paramref name="percentile"/> % of recorded values fall.</summary>
    public long ValueAt(double percentile)
    {
        var total = Count;
        if (total == 0) return 0;
        var rank = Rank(percentile, total);
        long seen = 0;
        for (var i = 0; i < BucketCount; i++)
        {
            seen += _counts[i];
            if (seen >= rank) return Math.Min(HighestEquivalent(i), Max);
        }
        return Max;
    }

    public LatencySummary Summarize() => new()
    {
        Count = Count,
        MeanMs = Mean / 1000.0,
        P50Ms = ValueAt(50) / 1000.0,
        P90Ms = ValueAt(90) / 1000.0,
        P99Ms = ValueAt(99) / 1000.0,
        P999Ms = ValueAt(99.9) / 1000.0,
        MaxMs = Max / 1000.0,
        OverflowCount = Overflow,
    };

    /// <summary>Sparse buckets for a JSON report: "index:count" of the non-empty ones, comma-separated (compact to store and diff).</summary>
    public HistogramData ToData()
    {
        var buckets = new System.Text.StringBuilder();
        for (var i = 0; i < BucketCount; i++)
        {
            if (_counts[i] == 0) continue;
            if (buckets.Length > 0) buckets.Append(',');
            buckets.Append(System.Globalization.CultureInfo.InvariantCulture, $"{i}:{_counts[i]}");
        }
        return new HistogramData { Buckets = buckets.ToString(), Sum = _sum, Max = _max, Overflow = _overflow };
    }

    public static LatencyHistogram FromData(HistogramData? data)
    {
        var h = new LatencyHistogram();
        if (data is null) return h;
        foreach (var pair in data.Buckets.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = pair.IndexOf(':');
            var index = int.Parse(pair.AsSpan(0, colon), System.Globalization.CultureInfo.InvariantCulture);
            var count = long.Parse(pair.AsSpan(colon + 1), System.Globalization.CultureInfo.InvariantCulture);
            h._counts[index] += count;
            h._total += count;
        }
        h._sum = data.Sum;
        h._max = data.Max;
        h._overflow = data.Overflow;
        return h;
    }
}

/// <summary>The serialised form of a <see cref="LatencyHistogram"/> (sparse buckets).</summary>
public sealed class HistogramData
{
    /// <summary>"index:count,index:count,..." for the non-empty buckets; see <see cref="LatencyHistogram.HighestEquivalent"/>.</summary>
    public string Buckets { get; set; } = "";
    public long Sum { get; set; }
    public long Max { get; set; }
    public long Overflow { get; set; }
}

public sealed class LatencySummary
{
    public long Count { get; set; }
    public double MeanMs { get; set; }
    public double P50Ms { get; set; }
    public double P90Ms { get; set; }
    public double P99Ms { get; set; }
    public double P999Ms { get; set; }
    public double MaxMs { get; set; }
    public long OverflowCount { get; set; }
}
