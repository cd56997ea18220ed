using System.Globalization;
using PushGateway.Reliability.Measure;
using PushGateway.Reliability.Processes;
using PushGateway.Reliability.Reporting;

namespace PushGateway.Reliability.Scenarios;

/// <summary>
/// Half an hour (by default) at moderate load with a fault every few minutes, in turn: Redis killed
/// and restarted, a node killed, Redis paused, a node drained and restarted. Node 0 is never killed,
/// so its memory, handles and threads can be compared between the end of warm-up and the end of the
/// run. The baseline is taken once every kind of fault has happened (the first four): before that,
/// RSS grows as code paths run for the first time (JIT-compiled code and touched code pages are part
/// of RSS), which is warm-up, not a leak. Handles are compared net of open connections, since clients
/// pile onto node 0 as the others die. Not part of "all" and not in CI.
/// </summary>
internal sealed class SoakScenario : Scenario
{
    private static readonly TimeSpan WarmupCap = TimeSpan.FromSeconds(60);

    public override string Name => "soak";

    protected override bool GapsAllowed => true;

    protected override TimeSpan Timeout(SizeProfile size) => size.SoakDuration + TimeSpan.FromMinutes(10);

    protected override ClusterShape Shape(SizeProfile size) =>
        new(size.Nodes, size.SoakClients, size.Topics, size.TopicsPerClient, size.SoakRate, 0, []);

    protected override async Task ExerciseAsync(Cluster cluster, ScenarioReport report, SizeProfile size, CancellationToken cancellationToken)
    {
        var warmup = TimeSpan.FromTicks(Math.Min(WarmupCap.Ticks, size.SoakDuration.Ticks / 10));
        await Task.Delay(warmup, cancellationToken).ConfigureAwait(false);
        var reference = cluster.Nodes[0];
        var first = await SnapshotAsync(reference, cancellationToken).ConfigureAwait(false);
        var startAll = cluster.Sample();
        Progress($"{Name}: after warm-up {first}; all: {string.Join("; ", startAll.Select(s => $"{s.Key} {s.Value}"))}");
        var series = new List<NodeSnapshot> { first };
        NodeSnapshot? start = null;
        var end = Clock.NowSeconds + (size.SoakDuration - warmup).TotalSeconds;
        var interval = TimeSpan.FromTicks(Math.Min(size.SoakFaultInterval.Ticks, size.SoakDuration.Ticks / 5));
        var liveTimes = new List<string>();
        for (var k = 0; Clock.NowSeconds + interval.TotalSeconds < end; k++)
        {
            await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
            var other = cluster.Nodes[1 + (k / 4 % (cluster.Nodes.Count - 1))];
            switch (k % 4)
            {
                case 0:
                {
                    var acked = cluster.Publisher.AckedSeqs();
                    var expected = cluster.Fleet.ExpectedNumSub();
                    cluster.Redis.Kill();
                    await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
                    await cluster.Redis.StartAsync(cancellationToken).ConfigureAwait(false);
                    cluster.Fleet.OpenRecoveryWindow();
                    var probe = new SubscriptionProbe(cluster.Redis, cluster.Nodes, cluster.Publisher);
                    var (seconds, mismatch) = await probe.WaitLiveAsync(expected, acked, TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
                    cluster.Fleet.CloseRecoveryWindow(probe.MissedBy);
                    liveTimes.Add(seconds is null ? "never (" + mismatch + ")" : Ms(seconds.Value));
                    report.Faults.Add("redis SIGKILL + restart after 1 s");
                    break;
                }
                case 1:
                    other.Kill();
                    await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
                    await cluster.RestartNodeAsync(other, cancellationToken).ConfigureAwait(false);
                    report.Faults.Add($"{other} SIGKILL + restart");
                    break;
                case 2:
                {
                    var acked = cluster.Publisher.AckedSeqs();
                    await cluster.Redis.CommandAsync(TimeSpan.FromSeconds(2), cancellationToken, "CLIENT", "PAUSE", "3000", "ALL").ConfigureAwait(false);
                    await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken).ConfigureAwait(false);
                    cluster.Fleet.MarkRecovery(acked);
                    report.Faults.Add("CLIENT PAUSE 3000 ALL");
                    break;
                }
                default:
                    other.Terminate();
                    if (!await other.WaitForExitAsync(TimeSpan.FromSeconds(20), cancellationToken).ConfigureAwait(false)) other.Kill();
                    await cluster.RestartNodeAsync(other, cancellationToken).ConfigureAwait(false);
                    report.Faults.Add($"{other} SIGTERM (drain) + restart");
                    break;
            }
            var snapshot = await SnapshotAsync(reference, cancellationToken).ConfigureAwait(false);
            series.Add(snapshot);
            if (k == 3) start = snapshot;
            Progress($"{Name}: fault {k + 1} ({report.Faults[^1]}); {snapshot}; published {cluster.Publisher.PublishedCount}");
        }
        start ??= first;
        var remaining = end - Clock.NowSeconds;
        if (remaining > 0) await Task.Delay(TimeSpan.FromSeconds(remaining), cancellationToken).ConfigureAwait(false);
        var finish = await SnapshotAsync(reference, cancellationToken).ConfigureAwait(false);
        var endAll = cluster.Sample();
        Progress($"{Name}: end {finish}; all: {string.Join("; ", endAll.Select(s => $"{s.Key} {s.Value}"))}");

        series.Add(finish);
        report.Figure($"{reference} after {warmup.TotalSeconds:F0}s warm-up", first.ToString());
        report.Figure($"{reference} baseline (after the first fault of each kind)", start.ToString());
        report.Figure($"{reference} at end", finish.ToString());
        report.Figure($"{reference} RSS (anon) MB after warm-up, each fault, end",
            string.Join(", ", series.Select(s => s.Sample is null ? "?" : string.Create(CultureInfo.InvariantCulture, $"{s.Sample.RssMb:F0} ({s.Sample.RssAnonMb:F0})"))));
        report.Figure("subscriptions live after each Redis restart", string.Join(", ", liveTimes));
        if (start.Sample is null || finish.Sample is null)
        {
            report.Check($"{reference} memory, handles and threads flat", false, "could not read /proc for the reference node");
            return;
        }
        var rssBound = start.Sample.RssBytes * 1.25 + 32 * 1048576.0;
        report.Check($"{reference} memory flat", finish.Sample.RssBytes <= rssBound,
            $"RSS {start.Sample.RssMb:F0} MB -> {finish.Sample.RssMb:F0} MB (bound {rssBound / 1048576:F0} MB: +25% +32 MB); anonymous {start.Sample.RssAnonMb:F0} -> {finish.Sample.RssAnonMb:F0} MB");
        report.Check($"{reference} handles flat", finish.NetFds <= start.NetFds + 16,
            $"fds net of connections {start.NetFds} -> {finish.NetFds} (fds {start.Sample.OpenFds} -> {finish.Sample.OpenFds}, connections {start.Connections} -> {finish.Connections}; bound +16)");
        report.Check($"{reference} threads flat", finish.Sample.Threads <= start.Sample.Threads + 16,
            $"threads {start.Sample.Threads} -> {finish.Sample.Threads} (bound +16)");
        var livesLate = liveTimes.Count(t => t.StartsWith("never", StringComparison.Ordinal) || double.Parse(t.Split(' ')[0], CultureInfo.InvariantCulture) > 2000);
        report.Check("subscriptions live within 2 s of each Redis restart", livesLate == 0, string.Join(", ", liveTimes));
    }

    private static async Task<NodeSnapshot> SnapshotAsync(GatewayNode node, CancellationToken cancellationToken)
    {
        using var stats = await node.StatsAsync(cancellationToken).ConfigureAwait(false);
        var connections = stats?.RootElement.GetProperty("stats").GetProperty("connectionsCurrent").GetInt64() ?? -1;
        return new NodeSnapshot(node.Sample(), connections);
    }

    private sealed record NodeSnapshot(ProcSample? Sample, long Connections)
    {
        public long NetFds => (Sample?.OpenFds ?? 0) - Connections;

        public override string ToString() => $"{Sample?.ToString() ?? "no /proc"}, connections {Connections}";
    }
}
