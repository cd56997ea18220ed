using System.Globalization;
using PushGateway.Reliability.Clients;
using PushGateway.Reliability.Measure;
using PushGateway.Reliability.Reporting;

namespace PushGateway.Reliability.Scenarios;

/// <summary>
/// The frame every scenario shares: start a cluster, publish, inject the scenario's faults, stop
/// publishing, let the clients settle, then count against the publisher's ledger and check the
/// invariants that hold everywhere (no silent loss, no duplicate, no crashed node).
/// </summary>
internal abstract class Scenario
{
    public abstract string Name { get; }

    protected abstract ClusterShape Shape(SizeProfile size);

    /// <summary>Injects the faults while the publisher runs; adds the scenario's own figures and invariants.</summary>
    protected abstract Task ExerciseAsync(Cluster cluster, ScenarioReport report, SizeProfile size, CancellationToken cancellationToken);

    protected virtual TimeSpan Timeout(SizeProfile size) => size.ScenarioTimeout;

    /// <summary>Whether a truthful gap notice is acceptable (Redis faults) or the healthy clients must receive everything (node faults, slow peers).</summary>
    protected virtual bool GapsAllowed => false;

    public static Scenario Create(string name) => name switch
    {
        "redis-restart" => new RedisRestartScenario(),
        "redis-pause" => new RedisPauseScenario(),
        "node-kill" => new NodeKillScenario(),
        "rolling" => new RollingRestartScenario(),
        "slow" => new SlowClientsScenario(),
        "soak" => new SoakScenario(),
        _ => throw new ArgumentException($"unknown scenario '{name}'"),
    };

    public async Task<ScenarioReport> RunAsync(RunOptions options, string library, CancellationToken cancellationToken)
    {
        var size = options.Size;
        var shape = Shape(size);
        var report = new ScenarioReport(Name, size.Name) { Clients = shape.Clients, Nodes = shape.Nodes };
        var started = Clock.NowSeconds;
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(Timeout(size));
        Cluster? cluster = null;
        Dictionary<string, Processes.ProcSample?>? before = null;
        var settled = false;
        try
        {
            Progress($"{Name}: starting redis-server, {shape.Nodes} nodes, {shape.Clients} clients on {shape.Topics} topics");
            cluster = await Cluster.StartAsync(options, library, Name, shape, bounded.Token).ConfigureAwait(false);
            before = cluster.Sample();
            cluster.Publisher.Start();
            await ExerciseAsync(cluster, report, size, bounded.Token).ConfigureAwait(false);
            await cluster.Publisher.StopAsync().ConfigureAwait(false);
            settled = await cluster.Fleet.QuiesceAsync(size.QuiesceTimeout, bounded.Token).ConfigureAwait(false);
            report.Check("clients settled", settled,
                settled ? "every healthy client live and caught up after the publisher stopped"
                        : $"not within {size.QuiesceTimeout.TotalSeconds:F0}s: {Unsettled(cluster)}");
        }
        catch (Exception ex)
        {
            report.Error = bounded.IsCancellationRequested && !cancellationToken.IsCancellationRequested
                ? $"timed out after {Timeout(size).TotalSeconds:F0}s ({ex.GetType().Name}: {ex.Message})"
                : $"{ex.GetType().Name}: {ex.Message}";
        }
        if (cluster is not null)
        {
            try
            {
                await cluster.Publisher.StopAsync().WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None).ConfigureAwait(false);
                Summarize(cluster, report, before);
            }
            catch (Exception ex)
            {
                report.Error ??= $"summarizing: {ex.GetType().Name}: {ex.Message}";
            }
            await cluster.DisposeAsync().ConfigureAwait(false);
        }
        report.DurationSeconds = Math.Round(Clock.NowSeconds - started, 1);
        return report;
    }

    private void Summarize(Cluster cluster, ScenarioReport report, Dictionary<string, Processes.ProcSample?>? before)
    {
        var fleet = cluster.Fleet;
        var publisher = cluster.Publisher;
        report.Published = publisher.PublishedCount;
        report.PublishFailures = publisher.Failures;
        report.PublishUnresolvable = publisher.Ledgers.Values.Sum(l => l.Unresolvable);
        report.PublisherAnomalies = publisher.Ledgers.Values.Sum(l => l.Anomalies);
        var healthy = fleet.Account(ClientRole.Healthy);
        report.Healthy = healthy;
        report.Reconnects = fleet.Reconnects(ClientRole.Healthy);
        report.CloseCodes = fleet.CloseCodes(ClientRole.Healthy);
        report.ReconnectP50Ms = Math.Round(fleet.ReconnectTimes.PercentileMs(0.50), 1);
        report.ReconnectP99Ms = Math.Round(fleet.ReconnectTimes.PercentileMs(0.99), 1);
        report.ReconnectMaxMs = Math.Round(fleet.ReconnectTimes.MaxMs(), 1);
        report.LatencyP50Ms = Math.Round(fleet.Latency.PercentileMs(0.50), 2);
        report.LatencyP99Ms = Math.Round(fleet.Latency.PercentileMs(0.99), 2);
        report.ParseErrors = fleet.ParseErrors;
        if (before is not null) Cluster.AddFigures(report, before, cluster.Sample());

        var lostDetail = healthy.Lost == 0 ? "" : $"; e.g. {string.Join("; ", healthy.LostSample)}";
        report.Check("no silent loss", healthy.Lost == 0,
            $"{healthy.Expected} expected deliveries: {healthy.Delivered} delivered ({healthy.Recovered} recovered), {healthy.Gapped} reported as gaps, {healthy.Lost} lost silently{lostDetail}");
        if (!GapsAllowed)
            report.Check("nothing lost at all (no gaps)", healthy.Gapped == 0 && healthy.GapNotices == 0,
                $"{healthy.Gapped} messages in {healthy.GapNotices} gap notices ({Reasons(healthy)})");
        report.Check("no false gap notices", healthy.FalseGapNotices == 0,
            $"{healthy.FalseGapNotices} of {healthy.GapNotices} gap notices (recovered=false) were followed by every message they declared lost ({FalseReasons(healthy)})");
        report.Check("no duplicates", healthy.Duplicates == 0, $"{healthy.Duplicates} duplicate deliveries");
        var crashed = cluster.Nodes.Where(n => n.UnexpectedExits > 0).ToList();
        report.Check("no node crashed", crashed.Count == 0,
            crashed.Count == 0 ? "every node exit was one the scenario caused" : string.Join("; ", crashed.Select(n => $"{n} exited by itself (code {n.LastExitCode}); see {n.LogPath}")));
        report.Check("accounting consistent", healthy.Phantom == 0 && report.PublisherAnomalies == 0 && report.ParseErrors == 0 && report.PublishUnresolvable == 0,
            $"phantom deliveries {healthy.Phantom}, publisher anomalies {report.PublisherAnomalies}, unparseable frames {report.ParseErrors}, unsettled publishes {report.PublishUnresolvable}");
    }

    private static string Reasons(TopicAccount account) =>
        account.GapReasons.Count == 0 ? "none" : string.Join(", ", account.GapReasons.Select(r => $"{r.Key}: {r.Value}"));

    private static string FalseReasons(TopicAccount account) =>
        account.FalseGapReasons.Count == 0 ? "none" : string.Join(", ", account.FalseGapReasons.Select(r => $"{r.Key}: {r.Value}"));

    private static string Unsettled(Cluster cluster)
    {
        var notLive = cluster.Fleet.Healthy.Count(c => !c.IsLive);
        var behind = cluster.Fleet.Healthy.Count(c => c.Tallies.Any(t => !t.IsSettled(cluster.Publisher.Ledgers[t.Topic].LastPublishedN)));
        return $"{notLive} clients not live, {behind} clients behind";
    }

    /// <summary>Progress goes to stderr so --json keeps stdout clean.</summary>
    protected static void Progress(string line) =>
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{DateTime.UtcNow:HH:mm:ss}] {line}"));

    protected static string Ms(double seconds) => string.Create(CultureInfo.InvariantCulture, $"{seconds * 1000:F0} ms");
}
