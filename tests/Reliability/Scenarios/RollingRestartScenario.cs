using System.Globalization;
using PushGateway.Reliability.Clients;
using PushGateway.Reliability.Measure;
using PushGateway.Reliability.Reporting;

namespace PushGateway.Reliability.Scenarios;

/// <summary>
/// A rolling restart: SIGTERM one node at a time (it drains: 4001 to each client over
/// Gateway:DrainGracePeriod = 3 s, then exits), start it again, move on. Every client must be told
/// (4001, never a dropped socket), resume elsewhere, and lose and duplicate nothing.
/// </summary>
internal sealed class RollingRestartScenario : Scenario
{
    /// <summary>Drain period (3 s) + the gateway's CloseTimeout (5 s) + shutdown, with room for a loaded machine.</summary>
    private static readonly TimeSpan ExitBound = TimeSpan.FromSeconds(20);

    public override string Name => "rolling";

    protected override ClusterShape Shape(SizeProfile size) =>
        new(size.Nodes, size.Clients, size.Topics, size.TopicsPerClient, size.RatePerSecond, 0, []);

    protected override async Task ExerciseAsync(Cluster cluster, ScenarioReport report, SizeProfile size, CancellationToken cancellationToken)
    {
        await Task.Delay(size.Warmup, cancellationToken).ConfigureAwait(false);
        var drained = 0;
        var exits = new List<string>();
        var badExits = new List<string>();
        foreach (var node in cluster.Nodes)
        {
            var onNode = cluster.Fleet.Healthy.Count(c => c.CurrentNode == node.Index);
            drained += onNode;
            var started = Clock.NowSeconds;
            node.Terminate();
            var exited = await node.WaitForExitAsync(ExitBound, cancellationToken).ConfigureAwait(false);
            var took = Clock.NowSeconds - started;
            report.Faults.Add(string.Create(CultureInfo.InvariantCulture, $"{node} SIGTERM with {onNode} clients: {(exited ? $"exited {node.LastExitCode} after {took:F1}s" : "did not exit")}"));
            exits.Add(exited ? $"{node}: {took:F1}s code {node.LastExitCode}" : $"{node}: no exit");
            if (!exited || node.LastExitCode != 0)
            {
                badExits.Add(exits[^1]);
                node.Kill();
            }
            await cluster.RestartNodeAsync(node, cancellationToken).ConfigureAwait(false);
            Progress($"{Name}: {node} drained {onNode} clients in {took:F1}s, back up; reconnect p99 so far {cluster.Fleet.ReconnectTimes.PercentileMs(0.99):F0} ms");
            await Task.Delay(size.LoadBetweenFaults, cancellationToken).ConfigureAwait(false);
        }
        var codes = cluster.Fleet.CloseCodes(ClientRole.Healthy);
        var told = codes.GetValueOrDefault(4001);
        var other = codes.Where(c => c.Key != 4001).Sum(c => c.Value);
        report.Figure("node exits after SIGTERM", string.Join("; ", exits));
        report.Figure("clients on the drained nodes", drained.ToString(CultureInfo.InvariantCulture));
        report.Check("each node drained and exited 0 within 20 s", badExits.Count == 0, badExits.Count == 0 ? string.Join("; ", exits) : string.Join("; ", badExits));
        report.Check("drained clients were told with 4001", told >= drained && other == 0,
            $"{told} closes with 4001 for {drained} clients on drained nodes; other endings: {RedisRestartScenario.Format(codes.Where(c => c.Key != 4001).ToDictionary())}");
    }
}
