using System.Globalization;
using PushGateway.Reliability.Clients;
using PushGateway.Reliability.Measure;
using PushGateway.Reliability.Reporting;

namespace PushGateway.Reliability.Scenarios;

/// <summary>
/// Redis killed with SIGKILL and restarted (same port, AOF kept) under load, N times. Nodes must
/// survive, clients must keep their WebSockets, every node's subscriptions must be back in Redis
/// within 2 s of it answering again, and what was published around each kill must reach every
/// client (the node catches up from history) or be reported as a gap. Every fifth restart (and the
/// last) is a slow one: Redis spends a few seconds loading its data and answers LOADING meanwhile, as
/// a production Redis with a big AOF does (the soak found that case; see docs/reliability.md).
/// </summary>
internal sealed class RedisRestartScenario : Scenario
{
    /// <summary>The issue's bound: every subscription live again within this long after Redis returns.</summary>
    public static readonly TimeSpan LiveBound = TimeSpan.FromSeconds(2);

    /// <summary>Ballast keys × load delay per key: about 2.5 s of LOADING on an idle machine.</summary>
    private const int BallastKeys = 25_000;
    private const int LoadDelayMicrosPerKey = 100;

    public override string Name => "redis-restart";

    /// <summary>While Redis is away, a node cannot always fill what it missed from history: a truthful gap notice is allowed.</summary>
    protected override bool GapsAllowed => true;

    protected override ClusterShape Shape(SizeProfile size) =>
        new(size.Nodes, size.Clients, size.Topics, size.TopicsPerClient, size.RatePerSecond, 0, []);

    protected override async Task ExerciseAsync(Cluster cluster, ScenarioReport report, SizeProfile size, CancellationToken cancellationToken)
    {
        await Task.Delay(size.Warmup, cancellationToken).ConfigureAwait(false);
        var liveTimes = new List<double?>();
        var readyTimes = new Durations();
        var mismatches = new List<string>();
        var ballast = false;
        for (var k = 1; k <= size.RedisKills; k++)
        {
            var slowLoad = k % 5 == 0 || k == size.RedisKills;
            if (slowLoad && !ballast)
            {
                await cluster.Redis.AddBallastAsync(BallastKeys, cancellationToken).ConfigureAwait(false);
                ballast = true;
            }
            var acked = cluster.Publisher.AckedSeqs();
            var expected = cluster.Fleet.ExpectedNumSub();
            cluster.Redis.Kill();
            await Task.Delay(size.RedisDowntime, cancellationToken).ConfigureAwait(false);
            var starting = Clock.NowSeconds;
            await cluster.Redis.StartAsync(cancellationToken, slowLoad ? LoadDelayMicrosPerKey : 0).ConfigureAwait(false);
            var up = Clock.NowSeconds;
            report.Faults.Add(string.Create(CultureInfo.InvariantCulture,
                $"redis SIGKILL #{k}, restarted after {size.RedisDowntime.TotalSeconds:F1}s{(slowLoad ? $", then LOADING for {up - starting:F1}s" : "")}"));
            // Published before the kill and first delivered after Redis returned, or published while the client's node had no subscription: recovered from history.
            cluster.Fleet.OpenRecoveryWindow();
            var ready = AllReadyAsync(cluster, up, cancellationToken);
            var probe = new SubscriptionProbe(cluster.Redis, cluster.Nodes, cluster.Publisher);
            var (seconds, mismatch) = await probe.WaitLiveAsync(expected, acked, TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
            cluster.Fleet.CloseRecoveryWindow(probe.MissedBy);
            var readyAfter = await ready.ConfigureAwait(false);
            readyTimes.AddMs(readyAfter * 1000);
            liveTimes.Add(seconds);
            if (seconds is null || seconds > LiveBound.TotalSeconds) mismatches.Add($"#{k}: {(seconds is null ? mismatch : Ms(seconds.Value))}");
            Progress($"{Name}: kill {k}/{size.RedisKills}{(slowLoad ? " (slow load)" : "")}: subscriptions live {(seconds is null ? "NOT within 10 s" : Ms(seconds.Value))} after Redis answered; every node /readyz 200 after {Ms(readyAfter)}");
            await Task.Delay(size.LoadBetweenFaults, cancellationToken).ConfigureAwait(false);
        }

        var (stillLive, stillMissing) = await new SubscriptionProbe(cluster.Redis, cluster.Nodes, cluster.Publisher)
            .WaitLiveAsync(cluster.Fleet.ExpectedNumSub(), cluster.Publisher.AckedSeqs(), TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        report.Figure("subscriptions in Redis at the end of the faults", stillLive is null ? "missing: " + stillMissing : "all there");
        var byName = await cluster.Redis.SubscriptionsByClientNameAsync(cancellationToken).ConfigureAwait(false);
        var perNode = new List<string>();
        foreach (var node in cluster.Nodes)
        {
            var wanted = cluster.Fleet.Clients.Where(c => c.CurrentNode == node.Index).SelectMany(c => c.Tallies.Select(t => t.Topic)).Distinct().Count();
            var ready = await node.IsReadyAsync(cancellationToken).ConfigureAwait(false);
            perNode.Add($"{node}: {byName.GetValueOrDefault(node.RedisClientName)} of {wanted} channels subscribed in Redis, /readyz {(ready ? "200" : "503")}");
        }
        report.Figure("per node at the end of the faults (CLIENT LIST)", string.Join("; ", perNode));
        var times = string.Join(", ", liveTimes.Select(t => t is null ? "never" : Ms(t.Value)));
        report.Figure("subscriptions live after Redis answered (PUBSUB NUMSUB), per restart", times);
        report.Figure("all nodes /readyz after Redis answered, p50 / max", $"{readyTimes.PercentileMs(0.5):F0} / {readyTimes.MaxMs():F0} ms");
        report.Check("subscriptions live within 2 s of Redis returning", mismatches.Count == 0,
            mismatches.Count == 0 ? $"every restart: {times}" : "late or never: " + string.Join("; ", mismatches));
        var reconnects = cluster.Fleet.Reconnects(ClientRole.Healthy);
        report.Check("clients kept their WebSockets", reconnects == 0,
            $"{reconnects} reconnects; close codes {Format(cluster.Fleet.CloseCodes(ClientRole.Healthy))}");
    }

    /// <summary>Seconds from <paramref name="since"/> until every running node answers /readyz 200 (bounded by 20 s per node).</summary>
    private static async Task<double> AllReadyAsync(Cluster cluster, double since, CancellationToken cancellationToken)
    {
        foreach (var node in cluster.Nodes)
        {
            if (node.IsRunning) await node.WaitReadyAsync(TimeSpan.FromSeconds(20), cancellationToken).ConfigureAwait(false);
        }
        return Clock.NowSeconds - since;
    }

    internal static string Format(Dictionary<int, int> codes) =>
        codes.Count == 0 ? "none" : string.Join(", ", codes.OrderBy(c => c.Key).Select(c => $"{(c.Key == ResumingClient.NoCloseFrame ? "no close frame" : c.Key.ToString(CultureInfo.InvariantCulture))}: {c.Value}"));
}
