using System.Globalization;
using PushGateway.Reliability.Clients;
using PushGateway.Reliability.Measure;
using PushGateway.Reliability.Processes;
using PushGateway.Reliability.Reporting;

namespace PushGateway.Reliability.Scenarios;

/// <summary>
/// One client reading about a message a second and one not reading at all, on node 0 among healthy
/// ones, both subscribed to every topic. The healthy clients must lose nothing; the misbehaving ones
/// must be cut loose (4000 slow_consumer) or told of their gaps; the node's memory must stay bounded.
/// The healthy clients' delivery p99 is compared with a phase without the misbehaving ones (asserted
/// within 10% at full size only: on a shared machine it is noise in CI).
///
/// A stalled peer is only "slow" to the node once the kernel stops taking its bytes, and loopback
/// send buffers grow to 4 MB; so besides the regular topics there is one bulk topic (16 KB payloads,
/// 100/s, 1.6 MB/s) that the misbehaving clients and three healthy "bulk watchers" on the same node
/// subscribe to: with the default 1 MB queue budget the stalled client overflows within about three
/// seconds and is closed five seconds later (Gateway:SlowConsumerTimeout), while a healthy watcher
/// still has over half a second of slack. The bulk watchers prove that a stalled subscriber does not
/// hold back others on the very same topic.
/// </summary>
internal sealed class SlowClientsScenario : Scenario
{
    private const int BulkWatchers = 3;
    private static readonly long MemoryBound = 128L * 1024 * 1024;

    public override string Name => "slow";

    protected override ClusterShape Shape(SizeProfile size) =>
        new(size.Nodes, size.Clients, size.Topics, size.TopicsPerClient, size.RatePerSecond, 0, [],
            BulkTopics: 1, BulkRatePerTopic: 100, BulkPadBytes: 16 * 1024);

    protected override async Task ExerciseAsync(Cluster cluster, ScenarioReport report, SizeProfile size, CancellationToken cancellationToken)
    {
        var fleet = cluster.Fleet;
        var node = cluster.Nodes[0];
        for (var i = 0; i < BulkWatchers; i++) fleet.Add(ClientRole.Healthy, node.Index, [.. cluster.BulkTopics, cluster.Topics[i]]);
        fleet.Start();
        await fleet.WaitAllLiveAsync(TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        report.Clients += BulkWatchers;
        await Task.Delay(size.Warmup, cancellationToken).ConfigureAwait(false);

        fleet.Latency.Reset();
        await Task.Delay(size.SlowPhase, cancellationToken).ConfigureAwait(false);
        var baseline = (P50: fleet.Latency.PercentileMs(0.5), P99: fleet.Latency.PercentileMs(0.99), Count: fleet.Latency.Count);

        var rssBefore = node.Sample()?.RssBytes ?? 0;
        var everything = cluster.Topics.Concat(cluster.BulkTopics).ToList();
        var slow = fleet.Add(ClientRole.SlowReader, node.Index, everything);
        var stalled = fleet.Add(ClientRole.Stalled, node.Index, everything);
        fleet.Start();
        report.Faults.Add($"a client reading ~1 message/s and a client not reading, both on {node} and subscribed to all {everything.Count} topics (one of them bulk)");
        fleet.Latency.Reset();
        var rssMax = rssBefore;
        var phaseStart = Clock.NowSeconds;
        var closedBefore = await node.ClosedCountAsync("slow_consumer", cancellationToken).ConfigureAwait(false) ?? 0;
        var closeTimes = new List<string>();
        // The node counts a close once the socket is gone: over budget (~3 s), SlowConsumerTimeout (5 s), then
        // CloseTimeout (5 s) for a peer that never reads its close frame. Stay until both are seen, within a bound.
        var closedTarget = closedBefore + 2;
        while (Clock.NowSeconds < phaseStart + size.SlowPhase.TotalSeconds
               || closedBefore < closedTarget && Clock.NowSeconds < phaseStart + size.SlowPhase.TotalSeconds + 10)
        {
            await Task.Delay(1000, cancellationToken).ConfigureAwait(false);
            rssMax = Math.Max(rssMax, node.Sample()?.RssBytes ?? 0);
            var closedNow = await node.ClosedCountAsync("slow_consumer", cancellationToken).ConfigureAwait(false) ?? 0;
            for (; closedBefore < closedNow; closedBefore++) closeTimes.Add(string.Create(CultureInfo.InvariantCulture, $"{Clock.NowSeconds - phaseStart:F0}s"));
        }
        report.Figure("slow_consumer closes seen after the misbehaving clients joined (1 s polling)", closeTimes.Count == 0 ? "none during the phase" : string.Join(", ", closeTimes));
        var loaded = (P50: fleet.Latency.PercentileMs(0.5), P99: fleet.Latency.PercentileMs(0.99), Count: fleet.Latency.Count);

        await fleet.DrainMisbehavingAsync(TimeSpan.FromSeconds(15)).ConfigureAwait(false);
        var closedSlow = await node.ClosedCountAsync("slow_consumer", cancellationToken).ConfigureAwait(false);
        rssMax = Math.Max(rssMax, node.Sample()?.RssBytes ?? 0);
        Progress($"{Name}: p99 without {baseline.P99:F1} ms, with {loaded.P99:F1} ms; {node} closed {closedSlow} as slow_consumer");

        report.Figure("healthy delivery p50 / p99 without the slow clients", $"{baseline.P50:F2} / {baseline.P99:F2} ms ({baseline.Count} deliveries)");
        report.Figure("healthy delivery p50 / p99 with them", $"{loaded.P50:F2} / {loaded.P99:F2} ms ({loaded.Count} deliveries)");
        report.Figure($"{node} RSS before / peak", $"{rssBefore / 1048576.0:F0} / {rssMax / 1048576.0:F0} MB");
        report.Figure($"{node} connections closed as slow_consumer (/stats)", closedSlow?.ToString(CultureInfo.InvariantCulture) ?? "no answer");
        var ratio = loaded.P99 / baseline.P99;
        var p99Detail = string.Create(CultureInfo.InvariantCulture, $"p99 {baseline.P99:F2} ms without, {loaded.P99:F2} ms with ({(ratio - 1) * 100:+0;-0}%)");
        if (size.TimedAssertions) report.Check("healthy p99 within 10% of the run without slow clients", ratio <= 1.10, p99Detail);
        else report.Figure("healthy p99 change (not asserted at ci size)", p99Detail);

        report.Check("stalled client closed with 4000 or told of gaps", CutLoose(fleet, stalled, closedSlow, out var stalledDetail), stalledDetail);
        report.Check("slow reader closed with 4000 or told of gaps", CutLoose(fleet, slow, closedSlow, out var slowDetail), slowDetail);
        report.Check("node memory bounded", rssMax - rssBefore <= MemoryBound,
            $"{node} RSS {rssBefore / 1048576.0:F0} MB before, peak {rssMax / 1048576.0:F0} MB (bound: +{MemoryBound / 1048576} MB)");
    }

    /// <summary>
    /// What the client saw (a 4000 close frame, or gap notices) is the evidence; when the node had to
    /// abort the socket because the stalled peer never read its close frame, the node's own count of
    /// slow_consumer closes is.
    /// </summary>
    private static bool CutLoose(ClientFleet fleet, ResumingClient client, long? closedBySlowConsumer, out string detail)
    {
        var codes = client.CloseCodes;
        var gaps = client.Tallies.Sum(t => t.Account(fleet.LedgerOf(t.Topic)).GapNotices);
        var ended = codes.Count > 0;
        detail = $"close codes {RedisRestartScenario.Format(codes)}, {gaps} gap notices, node's slow_consumer closes {closedBySlowConsumer?.ToString(CultureInfo.InvariantCulture) ?? "?"}"
            + (client.ConnectFailures > 0 ? $"; {client.ConnectFailures} failed connects ({client.LastConnectError})" : "");
        return codes.ContainsKey(4000) || gaps > 0 || ended && closedBySlowConsumer > 0;
    }
}
