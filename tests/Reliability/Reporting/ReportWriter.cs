using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using PushGateway.Reliability.Clients;

namespace PushGateway.Reliability.Reporting;

/// <summary>Writes scenario reports for people (text) and for scripts (--json).</summary>
internal static class ReportWriter
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static void WriteText(ScenarioReport report, TextWriter output)
    {
        var c = CultureInfo.InvariantCulture;
        output.WriteLine();
        output.WriteLine(string.Create(c, $"== {report.Scenario} ({report.Size}): {(report.Passed ? "PASSED" : "FAILED")} in {report.DurationSeconds:F1}s"));
        output.WriteLine(string.Create(c, $"   faults injected ({report.Faults.Count}): {(report.Faults.Count == 0 ? "none" : string.Join("; ", report.Faults))}"));
        output.WriteLine(string.Create(c, $"   {report.Clients} healthy clients on {report.Nodes} nodes; published {report.Published} (failed attempts {report.PublishFailures})"));
        if (report.Healthy is { } h)
        {
            output.WriteLine(string.Create(c,
                $"   deliveries: expected {h.Expected}, delivered {h.Delivered} (recovered {h.Recovered}), reported as gaps {h.Gapped} ({Reasons(h)}), lost silently {h.Lost}, duplicated {h.Duplicates}, out of order {h.OutOfOrder}"));
        }
        output.WriteLine(string.Create(c,
            $"   reconnects {report.Reconnects} (p50 {report.ReconnectP50Ms:F0} ms, p99 {report.ReconnectP99Ms:F0} ms, max {report.ReconnectMaxMs:F0} ms); delivery latency p50 {report.LatencyP50Ms:F2} ms, p99 {report.LatencyP99Ms:F2} ms"));
        foreach (var process in report.Processes)
        {
            output.WriteLine(string.Create(c,
                $"   {process.Name}: RSS {Mb(process.Before)} -> {Mb(process.After)} MB, fds {process.Before?.OpenFds} -> {process.After?.OpenFds}, threads {process.Before?.Threads} -> {process.After?.Threads}{(process.Restarted ? " (restarted: a different process at the end)" : "")}"));
        }
        foreach (var (name, value) in report.Figures) output.WriteLine($"   {name}: {value}");
        foreach (var invariant in report.Invariants) output.WriteLine($"   [{(invariant.Passed ? "ok" : "FAIL")}] {invariant.Name}: {invariant.Detail}");
        if (report.Error is not null) output.WriteLine($"   [FAIL] did not complete: {report.Error}");
    }

    public static void WriteJson(IReadOnlyList<ScenarioReport> reports, TextWriter output)
    {
        var document = new
        {
            machine = new { cores = Environment.ProcessorCount, cpu = CpuModel(), os = System.Runtime.InteropServices.RuntimeInformation.OSDescription },
            passed = reports.Count(r => r.Passed),
            failed = reports.Count(r => !r.Passed),
            scenarios = reports,
        };
        output.WriteLine(JsonSerializer.Serialize(document, Json));
    }

    /// <summary>The "model name" line of /proc/cpuinfo (what lscpu prints as Model name).</summary>
    public static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line?.Split(':', 2)[1].Trim() ?? "unknown";
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static string Mb(Processes.ProcSample? sample) => sample is null ? "?" : sample.RssMb.ToString("F0", CultureInfo.InvariantCulture);

    private static string Reasons(TopicAccount account) =>
        account.GapReasons.Count == 0 ? "no notices" : string.Join(", ", account.GapReasons.Select(r => $"{r.Key} x{r.Value}"));
}
