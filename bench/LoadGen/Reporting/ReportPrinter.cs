using System.Globalization;
using System.Text;

namespace LoadGen.Reporting;

/// <summary>The human-readable report (stderr with --json, stdout otherwise) and the two-target comparison.</summary>
public static class ReportPrinter
{
    public static string Format(RunReport r)
    {
        var s = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        void Line(string text) => s.AppendLine(text);
        Line($"== {r.Label ?? r.Target} ({r.Target}, {r.Protocol}, {r.Mode}) started {r.StartedUtc}");
        var st = r.Settings;
        Line(string.Create(inv, $"   {st.Connections} connections x {st.SubsPerConnection} subs over {st.Topics} topics, rate {st.Rate:F0}/s, {st.DurationSeconds:F0}s (+{st.WarmupSeconds:F0}s warm-up), payload {st.PayloadBytes} B, {st.Processes} process(es), {st.SourceIps} source IP(s){(st.MaxRate is { } m ? $", maxRate {m}" : "")}"));
        Line(string.Create(inv, $"connections  established {r.Connect.Established}/{r.Connect.Requested}, failed {r.Connect.Failed}, retries {r.Connect.Retries}, disconnected {r.Disconnects}, connect time {r.Connect.Seconds:F1}s"));
        Line(string.Create(inv, $"subscriptions acked {r.Connect.SubscriptionsAcked}/{r.Connect.SubscriptionsRequested}, errors {r.SubscribeErrors}"));
        Line(string.Create(inv, $"server RSS   before {r.Server.RssBeforeKb / 1024.0:F1} MiB, after connect {r.Server.RssAfterConnectKb / 1024.0:F1} MiB, end {r.Server.RssEndKb / 1024.0:F1} MiB => {r.Server.RssPerConnectionBytes / 1024.0:F1} KiB per connection"));
        if (r.Mode == "idle")
            Line(string.Create(inv, $"server CPU   {r.Server.IdleCpuPercent:F1}% of a core while idle"));
        foreach (var p in r.Phases)
        {
            Line(string.Create(inv, $"-- {p.Name}: rate {p.Rate:F0}/s for {p.Seconds:F0}s{(ReferenceEquals(p, r.Result) ? "  [result]" : "")}"));
            Line(string.Create(inv, $"   published {p.Published} (errors {p.PublishErrors}, no receivers {p.PublishNoReceivers}, max publisher lag {p.MaxPublishLagMs:F1} ms)"));
            Line(string.Create(inv, $"   expected {p.Expected}, delivered {p.Delivered}, {(p.Conflating ? "conflated (maxRate)" : "lost")} {p.Lost}, last value missing {p.FinalMissing}, duplicates {p.Duplicates}, out of order {p.OutOfOrder}"));
            Line(string.Create(inv, $"   delivered/s {p.DeliveredPerSec:F0} ({(p.Delivered == 0 ? "nothing delivered" : $"last delivery {p.DeliverySpanSeconds:F1}s after the phase began")}), frames/delivery {p.FramesPerDelivery:F3}, drain {p.DrainSeconds:F1}s"));
            var l = p.Latency;
            Line(string.Create(inv, $"   latency ms  p50 {l.P50Ms:F2}  p90 {l.P90Ms:F2}  p99 {l.P99Ms:F2}  p99.9 {l.P999Ms:F2}  max {l.MaxMs:F2}  mean {l.MeanMs:F2}"));
            if (p.PublishLag is { Count: > 0 } lag)
                Line(string.Create(inv, $"   of which publisher late  p50 {lag.P50Ms:F2}  p99 {lag.P99Ms:F2}  p99.9 {lag.P999Ms:F2}  max {lag.MaxMs:F2} ms"));
            if (p.Gateway is { } g)
                Line($"   gateway arrival->write (its /stats)  {g.Describe()}");
            if (!p.Measured) continue; // no CPU window for a warm-up
            if (p.ServerExited) Line("   SERVER PROCESS EXITED during the window: no CPU figures");
            Line(string.Create(inv, $"   server CPU {p.ServerCpuMs:F0} ms over {p.WindowSeconds:F1}s ({p.ServerCpuUtilisation * 100:F0}% of a core) => {p.ServerCpuMsPer1kDeliveries:F2} CPU-ms per 1k deliveries, {p.DeliveriesPerServerCpuSecond:F0} deliveries per CPU-s; load generator CPU {p.LoadGenCpuMs:F0} ms"));
            Line(string.Create(inv, $"   machine {p.MachineCpuBusyPercent:F0}% busy over the window, other processes (redis, anything else) {p.OtherCpuMs:F0} CPU-ms, load average {p.LoadAverage:F1}"));
        }
        if (r.Errors.Count > 0)
        {
            Line("errors:");
            foreach (var (k, v) in r.Errors) Line($"   {v} x {k}");
        }
        if (r.ProtocolErrors + r.Unmatched + r.Unplanned > 0)
            Line($"protocol errors {r.ProtocolErrors}, messages for unknown topics {r.Unmatched}, messages outside the plan {r.Unplanned}");
        Line(r.Clean ? "verdict: clean (no loss, no duplicates, all connected)" : "verdict: NOT clean");
        return s.ToString();
    }

    /// <summary>Side by side figures of two runs (typically pushgw and socketio) and their ratios a/b.</summary>
    public static string Compare(RunReport a, RunReport b)
    {
        var inv = CultureInfo.InvariantCulture;
        var s = new StringBuilder();
        string Name(RunReport r) => r.Label ?? r.Target;
        s.AppendLine(string.Create(inv, $"{"figure",-32} {Name(a),14} {Name(b),14} {Name(a) + "/" + Name(b),16}"));
        void Row(string figure, double x, double y, string format)
        {
            var ratio = y == 0 ? "-" : (x / y).ToString("F2", inv) + "x";
            s.AppendLine(string.Create(inv, $"{figure,-32} {x.ToString(format, inv),14} {y.ToString(format, inv),14} {ratio,16}"));
        }
        var ra = a.Result;
        var rb = b.Result;
        if (ra is not null && rb is not null)
        {
            Row("delivered/s", ra.DeliveredPerSec, rb.DeliveredPerSec, "F0");
            Row("lost", ra.Lost, rb.Lost, "F0");
            Row("p50 latency (ms)", ra.Latency.P50Ms, rb.Latency.P50Ms, "F2");
            Row("p99 latency (ms)", ra.Latency.P99Ms, rb.Latency.P99Ms, "F2");
            Row("p99.9 latency (ms)", ra.Latency.P999Ms, rb.Latency.P999Ms, "F2");
            Row("server CPU-ms per 1k deliveries", ra.ServerCpuMsPer1kDeliveries, rb.ServerCpuMsPer1kDeliveries, "F2");
            Row("deliveries per server CPU-s", ra.DeliveriesPerServerCpuSecond, rb.DeliveriesPerServerCpuSecond, "F0");
            Row("frames per delivery", ra.FramesPerDelivery, rb.FramesPerDelivery, "F3");
            Row("machine busy % (judge by this)", ra.MachineCpuBusyPercent, rb.MachineCpuBusyPercent, "F0");
            Row("other processes' CPU-ms", ra.OtherCpuMs, rb.OtherCpuMs, "F0");
        }
        Row("server RSS per connection (KiB)", a.Server.RssPerConnectionBytes / 1024, b.Server.RssPerConnectionBytes / 1024, "F1");
        if (a.Mode == "idle" && b.Mode == "idle")
            Row("server CPU % of a core, idle", a.Server.IdleCpuPercent, b.Server.IdleCpuPercent, "F1");
        return s.ToString();
    }
}
