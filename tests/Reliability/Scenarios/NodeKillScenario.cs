using System.Globalization;
using PushGateway.Reliability.Clients;
using PushGateway.Reliability.Reporting;

namespace PushGateway.Reliability.Scenarios;

/// <summary>
/// A gateway node killed with SIGKILL under load (a different node each time), restarted a second
/// later. Its clients reconnect to the other nodes and resume with since: within the history window
/// that must lose nothing, not even to a gap notice, and deliver nothing twice.
/// </summary>
internal sealed class NodeKillScenario : Scenario
{
    public override string Name => "node-kill";

    protected override ClusterShape Shape(SizeProfile size) =>
        new(size.Nodes, size.Clients, size.Topics, size.TopicsPerClient, size.RatePerSecond, 0, []);

    protected override async Task ExerciseAsync(Cluster cluster, ScenarioReport report, SizeProfile size, CancellationToken cancellationToken)
    {
        await Task.Delay(size.Warmup, cancellationToken).ConfigureAwait(false);
        var moved = 0;
        for (var k = 1; k <= size.NodeKills; k++)
        {
            var victim = cluster.Nodes[k % cluster.Nodes.Count];
            var onVictim = cluster.Fleet.Healthy.Count(c => c.CurrentNode == victim.Index);
            moved += onVictim;
            victim.Kill();
            report.Faults.Add(string.Create(CultureInfo.InvariantCulture, $"{victim} SIGKILL #{k} with {onVictim} clients, restarted after 1 s"));
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            await cluster.RestartNodeAsync(victim, cancellationToken).ConfigureAwait(false);
            Progress($"{Name}: kill {k}/{size.NodeKills}: {victim} had {onVictim} clients; reconnect p99 so far {cluster.Fleet.ReconnectTimes.PercentileMs(0.99):F0} ms");
            await Task.Delay(size.LoadBetweenFaults, cancellationToken).ConfigureAwait(false);
        }
        var reconnects = cluster.Fleet.Reconnects(ClientRole.Healthy);
        report.Figure("clients on the killed nodes", moved.ToString(CultureInfo.InvariantCulture));
        report.Check("the killed nodes' clients reconnected", reconnects >= moved,
            $"{reconnects} reconnects for {moved} clients on killed nodes; close codes {RedisRestartScenario.Format(cluster.Fleet.CloseCodes(ClientRole.Healthy))}");
    }
}
