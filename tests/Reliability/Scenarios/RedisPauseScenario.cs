using System.Globalization;
using PushGateway.Reliability.Measure;
using PushGateway.Reliability.Processes;
using PushGateway.Reliability.Reporting;

namespace PushGateway.Reliability.Scenarios;

/// <summary>
/// Redis alive but silent: CLIENT PAUSE 3000 ALL (and, at full size, WRITE) under load. The TCP
/// links stay up, so nothing tells the node but its own liveness probe (Redis:ProbeTimeout, 2 s by
/// default, shorter than the pause). What must hold: every node notices (its readiness turns 503 before
/// the pause has been over for 2 s) and comes back by itself within a bounded time (every client caught
/// up, every subscription in Redis) with nothing lost silently.
/// </summary>
internal sealed class RedisPauseScenario : Scenario
{
    private static readonly TimeSpan Pause = TimeSpan.FromSeconds(3);

    /// <summary>How long after the pause ends every client must have caught up: generous, this is "bounded", not fast.</summary>
    private static readonly TimeSpan CatchUpBound = TimeSpan.FromSeconds(10);

    public override string Name => "redis-pause";

    protected override bool GapsAllowed => true;

    protected override ClusterShape Shape(SizeProfile size) =>
        new(size.Nodes, size.Clients, size.Topics, size.TopicsPerClient, size.RatePerSecond, 0, []);

    protected override async Task ExerciseAsync(Cluster cluster, ScenarioReport report, SizeProfile size, CancellationToken cancellationToken)
    {
        await Task.Delay(size.Warmup, cancellationToken).ConfigureAwait(false);
        var catchUps = new List<string>();
        var late = new List<string>();
        var unnoticed = new List<string>();
        for (var k = 1; k <= size.Pauses; k++)
        {
            var mode = k % 2 == 1 ? "ALL" : "WRITE";
            var acked = cluster.Publisher.AckedSeqs();
            var expected = cluster.Fleet.ExpectedNumSub();
            var reply = await cluster.Redis.CommandAsync(TimeSpan.FromSeconds(2), cancellationToken, "CLIENT", "PAUSE", (long)Pause.TotalMilliseconds, mode).ConfigureAwait(false);
            if (reply.IsError) throw new InvalidOperationException("CLIENT PAUSE: " + reply.Text);
            var pausedAt = Clock.NowSeconds;
            report.Faults.Add(string.Create(CultureInfo.InvariantCulture, $"CLIENT PAUSE {Pause.TotalMilliseconds:F0} {mode} #{k}"));
            var (noticed, noticedBy) = await WatchReadinessAsync(cluster.Nodes, pausedAt + Pause.TotalSeconds + 2, cancellationToken).ConfigureAwait(false);
            if (noticedBy < cluster.Nodes.Count) unnoticed.Add($"#{k} {mode}: {noticed}");
            cluster.Fleet.MarkRecovery(acked);
            var resumedAt = pausedAt + Pause.TotalSeconds;
            var targets = cluster.Publisher.Ledgers.ToDictionary(l => l.Key, l => l.Value.LastPublishedN, StringComparer.Ordinal);
            var caughtUp = await cluster.Fleet.WaitCaughtUpAsync(targets, CatchUpBound, cancellationToken).ConfigureAwait(false);
            var sinceResume = caughtUp is null ? (double?)null : Clock.NowSeconds - resumedAt;
            var probe = new SubscriptionProbe(cluster.Redis, cluster.Nodes, cluster.Publisher);
            var (live, mismatch) = await probe.WaitLiveAsync(expected, acked, TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
            catchUps.Add(sinceResume is null ? "never" : Ms(sinceResume.Value));
            if (sinceResume is null || sinceResume > CatchUpBound.TotalSeconds || live is null)
                late.Add($"#{k} {mode}: caught up {(sinceResume is null ? "never" : Ms(sinceResume.Value))}, subscriptions {(live is null ? mismatch : "live")}");
            report.Figure($"pause #{k} {mode}: nodes that turned not ready", noticed);
            Progress($"{Name}: pause {k}/{size.Pauses} ({mode}): clients caught up {catchUps[^1]} after Redis resumed; not ready seen: {noticed}");
            await Task.Delay(size.LoadBetweenFaults, cancellationToken).ConfigureAwait(false);
        }
        report.Figure("all clients caught up after the pause ended, per pause", string.Join(", ", catchUps));
        report.Check("recovers within 10 s of the pause ending", late.Count == 0,
            late.Count == 0 ? $"caught up: {string.Join(", ", catchUps)}; subscriptions all in Redis" : string.Join("; ", late));
        report.Check("every node noticed the silent Redis (/readyz 503)", unnoticed.Count == 0,
            unnoticed.Count == 0 ? "every pause, every node" : "not every node turned not ready: " + string.Join("; ", unnoticed));
    }

    /// <summary>Polls every node's /readyz until <paramref name="until"/>; says which turned not ready and when.</summary>
    private static async Task<(string Text, int Count)> WatchReadinessAsync(IReadOnlyList<GatewayNode> nodes, double until, CancellationToken cancellationToken)
    {
        var started = Clock.NowSeconds;
        var firstNotReady = new Dictionary<int, double>();
        while (Clock.NowSeconds < until)
        {
            var checks = await Task.WhenAll(nodes.Select(n => n.IsReadyAsync(cancellationToken))).ConfigureAwait(false);
            for (var i = 0; i < checks.Length; i++)
            {
                if (!checks[i] && !firstNotReady.ContainsKey(i)) firstNotReady[i] = Clock.NowSeconds - started;
            }
            await Task.Delay(200, cancellationToken).ConfigureAwait(false);
        }
        return (firstNotReady.Count == 0 ? "none" : string.Join(", ", firstNotReady.Select(p => $"node{p.Key} after {Ms(p.Value)}")), firstNotReady.Count);
    }
}
