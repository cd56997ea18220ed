using System.Globalization;
using PushGateway.Reliability.Clients;
using PushGateway.Reliability.Measure;
using PushGateway.Reliability.Reporting;

namespace PushGateway.Reliability.Scenarios;

/// <summary>
/// Redis killed with SIGKILL and restarted (same port, AOF kept) under load, N times. Nodes must
/// survive, clients must keep their WebSockets, every node's subscriptions must be back in Redis
/// within 2 s of it answering again, and what was published around each kill must reach every
/// client (the node catches up from history) or be reported as a gap.
/// </summary>
internal sealed class RedisRestartScenario : Scenario
{
    /// <summary>The issue's bound: every subscription live again within this long after Redis returns.</summary>
    public static readonly TimeSpan LiveBound = TimeSpan.FromSeconds(2);

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
        for (var k = 1; k <= size.RedisKills; k++)
        {
            var acked = cluster.Publisher.AckedSeqs();
            var expected = cluster.Fleet.ExpectedNumSub();
            cluster.Redis.Kill();
            report.Faults.Add(string.Create(CultureInfo.InvariantCulture, $"redis SIGKILL #{k}, restarted after {size.RedisDowntime.TotalSeconds:F1}s"));
            await Task.Delay(size.RedisDowntime, cancellationToken).ConfigureAwait(false);
            await cluster.Redis.StartAsync(cancellationToken).ConfigureAwait(false);
            var up = Clock.NowSeconds;
            // Published before the kill and first delivered after Redis returned, or published while the client's node had no subscription: recovered from history.
            cluster.Fleet.OpenRecoveryWindow();
            var probe = new SubscriptionProbe(cluster.Redis, cluster.Nodes, cluster.Publisher);
            var (seconds, mismatch) = await probe.WaitLiveAsync(expected, acked, TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
            cluster.Fleet.CloseRecoveryWindow(probe.MissedBy);
            liveTimes.Add(seconds);
            if (seconds is null || seconds > LiveBound.TotalSeconds) mismatches.Add($"#{k}: {(seconds is null ? mismatch : Ms(seconds.Value))}");
            foreach (var node in cluster.Nodes)
            {
                if (node.IsRunning) await node.WaitReadyAsync(TimeSpan.FromSeconds(20), cancellationToken).ConfigureAwait(false);
            }
            readyTimes.AddMs((Clock.NowSeconds - up) * 1000);
            Progress($"{Name}: kill {k}/{size.RedisKills}: subscriptions live {(seconds is null ? "NOT within 10 s" : Ms(seconds.Value))} after Redis answered; nodes ready after {Ms(Clock.NowSeconds - up)}");
            await Task.Delay(size.LoadBetweenFaults, cancellationToken).ConfigureAwait(false);
        }

        var times = string.Join(", ", liveTimes.Select(t => t is null ? "never" : Ms(t.Value)));
        report.Figure("subscriptions live after Redis answered (PUBSUB NUMSUB), per restart", times);
        report.Figure("all nodes /readyz after Redis answered, p50 / max", $"{readyTimes.PercentileMs(0.5):F0} / {readyTimes.MaxMs():F0} ms");
        report.Check("subscriptions live within 2 s of Redis returning", mismatches.Count == 0,
            mismatches.Count == 0 ? $"every restart: {times}" : "late or never: " + string.Join("; ", mismatches));
        var reconnects = cluster.Fleet.Reconnects(ClientRole.Healthy);
        report.Check("clients kept their WebSockets", reconnects == 0,
            $"{reconnects} reconnects; close codes {Format(cluster.Fleet.CloseCodes(ClientRole.Healthy))}");
    }

    internal static string Format(Dictionary<int, int> codes) =>
        codes.Count == 0 ? "none" : string.Join(", ", codes.OrderBy(c => c.Key).Select(c => $"{(c.Key == ResumingClient.NoCloseFrame ? "no close frame" : c.Key.ToString(CultureInfo.InvariantCulture))}: {c.Value}"));
}
