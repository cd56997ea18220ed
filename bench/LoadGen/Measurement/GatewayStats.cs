using System.Globalization;
using System.Text.Json;

namespace LoadGen.Measurement;

/// <summary>
/// The gateway's own view of a phase, read from /stats on every node before and after and subtracted:
/// its pushgw.delivery.latency histogram (bus arrival to socket write, per frame) and its GC's
/// collections and pauses. Set beside the end-to-end latency it says which part of a tail the gateway
/// holds and which happens before a message reaches it (publisher, Redis) or after it leaves (the
/// clients' receive path).
/// </summary>
public sealed class GatewayStats
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(2) };
    private readonly List<Uri> statsUrls;

    public GatewayStats(IEnumerable<Uri> webSocketUrls)
    {
        statsUrls = webSocketUrls
            .Select(u => new UriBuilder(u) { Scheme = u.Scheme == "wss" ? "https" : "http", Path = "/stats", Query = "" }.Uri)
            .Distinct()
            .ToList();
    }

    /// <summary>The nodes' histograms summed, or null when any node's /stats cannot be read (then no figure is better than a partial one).</summary>
    public async Task<Snapshot?> ReadAsync()
    {
        try
        {
            Snapshot? sum = null;
            foreach (var url in statsUrls)
            {
                using var doc = JsonDocument.Parse(await Http.GetStringAsync(url));
                var latency = doc.RootElement.GetProperty("stats").GetProperty("deliveryLatency");
                var process = doc.RootElement.GetProperty("process");
                var node = new Snapshot(
                    latency.GetProperty("boundsMs").EnumerateArray().Select(e => e.GetDouble()).ToArray(),
                    latency.GetProperty("counts").EnumerateArray().Select(e => e.GetInt64()).ToArray(),
                    process.GetProperty("gcCollections").EnumerateArray().Select(e => e.GetInt64()).ToArray(),
                    process.GetProperty("gcPauseSeconds").GetDouble());
                sum = sum is null ? node : sum.Plus(node);
            }
            return sum;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>
    /// Cumulative figures: latency counts per bucket (one more than there are bounds, the last one
    /// open-ended), collections per generation, seconds paused by the GC.
    /// </summary>
    public sealed record Snapshot(double[] BoundsMs, long[] Counts, long[] Collections, double GcPauseSeconds)
    {
        public Snapshot Plus(Snapshot other) =>
            other.BoundsMs.SequenceEqual(BoundsMs) && other.Counts.Length == Counts.Length && other.Collections.Length == Collections.Length
                ? new Snapshot(BoundsMs, Add(Counts, other.Counts), Add(Collections, other.Collections), GcPauseSeconds + other.GcPauseSeconds)
                : throw new InvalidOperationException("the gateways' /stats differ in shape");

        private static long[] Add(long[] a, long[] b) => a.Zip(b, (x, y) => x + y).ToArray();

        /// <summary>What happened between two snapshots of the same nodes, or null if either is missing or nothing was written.</summary>
        public static GatewayPhaseStats? Between(Snapshot? before, Snapshot? after)
        {
            if (before is null || after is null || before.Counts.Length != after.Counts.Length || before.Collections.Length != after.Collections.Length) return null;
            var counts = after.Counts.Zip(before.Counts, (a, b) => a - b).ToArray();
            var total = counts.Sum();
            if (total <= 0) return null;
            return new GatewayPhaseStats
            {
                Collections = after.Collections.Zip(before.Collections, (a, b) => a - b).ToList(),
                GcPauseMs = (after.GcPauseSeconds - before.GcPauseSeconds) * 1000,
                Frames = total,
                BoundsMs = after.BoundsMs.ToList(),
                Counts = counts.ToList(),
                P50AtMostMs = UpperBound(after.BoundsMs, counts, total, 50),
                P99AtMostMs = UpperBound(after.BoundsMs, counts, total, 99),
                P999AtMostMs = UpperBound(after.BoundsMs, counts, total, 99.9),
                WithinOneMsPercent = 100.0 * Below(after.BoundsMs, counts, 1) / total,
                WithinTwoMsPercent = 100.0 * Below(after.BoundsMs, counts, 2) / total,
            };
        }

        /// <summary>The bucket bound the percentile falls under (null: the open-ended last bucket).</summary>
        private static double? UpperBound(double[] bounds, long[] counts, long total, double percentile)
        {
            var rank = LatencyHistogram.Rank(percentile, total);
            long seen = 0;
            for (var i = 0; i < counts.Length; i++)
            {
                seen += counts[i];
                if (seen >= rank) return i < bounds.Length ? bounds[i] : null;
            }
            return null;
        }

        private static long Below(double[] bounds, long[] counts, double ms)
        {
            long n = 0;
            for (var i = 0; i < bounds.Length && bounds[i] <= ms; i++) n += counts[i];
            return n;
        }
    }
}

/// <summary>The gateways' arrival-to-write latency over one phase, at their buckets' resolution, and what their GCs did meanwhile.</summary>
public sealed class GatewayPhaseStats
{
    /// <summary>Collections of gen0, gen1, gen2 (a gen2 collection counts in all three).</summary>
    public List<long> Collections { get; set; } = [];
    public double GcPauseMs { get; set; }
    public long Frames { get; set; }
    public List<double> BoundsMs { get; set; } = [];
    public List<long> Counts { get; set; } = [];
    public double? P50AtMostMs { get; set; }
    public double? P99AtMostMs { get; set; }
    public double? P999AtMostMs { get; set; }
    public double WithinOneMsPercent { get; set; }
    public double WithinTwoMsPercent { get; set; }

    public string Describe()
    {
        var inv = CultureInfo.InvariantCulture;
        static string Bound(double? ms) => ms is { } v ? v.ToString(CultureInfo.InvariantCulture) : "inf";
        return string.Create(inv, $"p50 <= {Bound(P50AtMostMs)}  p99 <= {Bound(P99AtMostMs)}  p99.9 <= {Bound(P999AtMostMs)} ms; {WithinOneMsPercent:F2}% within 1 ms, {WithinTwoMsPercent:F2}% within 2 ms ({Frames} frames); GC {string.Join('/', Collections)} collections (gen0/1/2), {GcPauseMs:F1} ms paused");
    }
}
