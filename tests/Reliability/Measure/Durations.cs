namespace PushGateway.Reliability.Measure;

/// <summary>A thread-safe list of durations (reconnects, recoveries) with exact percentiles; these are few, so all are kept.</summary>
internal sealed class Durations
{
    private readonly object gate = new();
    private readonly List<double> values = [];

    public void AddMs(double milliseconds)
    {
        lock (gate) values.Add(milliseconds);
    }

    public int Count
    {
        get
        {
            lock (gate) return values.Count;
        }
    }

    /// <summary>Nearest-rank percentile in milliseconds; NaN when empty.</summary>
    public double PercentileMs(double quantile)
    {
        double[] sorted;
        lock (gate) sorted = [.. values];
        if (sorted.Length == 0) return double.NaN;
        Array.Sort(sorted);
        var rank = Math.Max(1, (int)Math.Ceiling(quantile * sorted.Length));
        return sorted[rank - 1];
    }

    public double MaxMs()
    {
        lock (gate) return values.Count == 0 ? double.NaN : values.Max();
    }
}
