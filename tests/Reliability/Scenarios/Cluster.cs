using System.Globalization;
using PushGateway.Reliability.Clients;
using PushGateway.Reliability.Load;
using PushGateway.Reliability.Processes;
using PushGateway.Reliability.Reporting;

namespace PushGateway.Reliability.Scenarios;

/// <summary>
/// A scenario's world: one redis-server, the gateway nodes, the counting publisher and the client
/// fleet, all real processes or sockets on loopback. Disposing it kills every process it started.
/// </summary>
internal sealed class Cluster : IAsyncDisposable
{
    private static readonly TimeSpan NodeStartTimeout = TimeSpan.FromSeconds(90);

    private Cluster(RedisNode redis, List<GatewayNode> nodes, CountingPublisher publisher, ClientFleet fleet, IReadOnlyList<string> topics, IReadOnlyList<string> bulkTopics)
    {
        Redis = redis;
        Nodes = nodes;
        Publisher = publisher;
        Fleet = fleet;
        Topics = topics;
        BulkTopics = bulkTopics;
    }

    public RedisNode Redis { get; }

    public IReadOnlyList<GatewayNode> Nodes { get; }

    public CountingPublisher Publisher { get; }

    public ClientFleet Fleet { get; }

    public IReadOnlyList<string> Topics { get; }

    public IReadOnlyList<string> BulkTopics { get; }

    /// <summary>Starts Redis, the nodes, seeds every topic, connects the healthy clients and waits until all are live. The publisher is not started.</summary>
    public static async Task<Cluster> StartAsync(RunOptions options, string library, string scenario, ClusterShape shape, CancellationToken cancellationToken)
    {
        var redis = new RedisNode(options.RunDirectory, scenario);
        var nodes = new List<GatewayNode>();
        ClientFleet? fleet = null;
        try
        {
            await redis.StartAsync(cancellationToken).ConfigureAwait(false);
            var settings = new List<string>
            {
                "--Feeds:Enabled=false",
                "--Gateway:DrainGracePeriod=00:00:03",
                "--Logging:LogLevel:Default=Warning",
                "--Logging:LogLevel:PushGateway.Lifecycle=Information",
                "--Logging:LogLevel:PushGateway.Bus=Information",
                "--Logging:LogLevel:PushGateway.Connections=Information",
                // One JSON object per line, with a timestamp: node logs line up with the runner's progress lines.
                "--Logging:Format=json",
                // Harmless to the gateway; lets scripts/faults.sh recognise this run's processes by their command line.
                $"--Reliability:Run={options.RunDirectory}",
            };
            settings.AddRange(shape.GatewaySettings);
            settings.AddRange(options.GatewaySettings);
            for (var i = 0; i < shape.Nodes; i++) nodes.Add(new GatewayNode(i, options.GatewayDll, options.RunDirectory, scenario, redis.ConnectionString, settings));
            foreach (var node in nodes) node.Start();
            await Task.WhenAll(nodes.Select(n => n.WaitReadyAsync(NodeStartTimeout, cancellationToken))).ConfigureAwait(false);

            var topics = Enumerable.Range(0, shape.Topics).Select(i => string.Create(CultureInfo.InvariantCulture, $"rel.{scenario}.t{i:00}")).ToList();
            var bulk = Enumerable.Range(0, shape.BulkTopics).Select(i => string.Create(CultureInfo.InvariantCulture, $"rel.{scenario}.bulk{i}")).ToList();
            var specs = topics.Select(t => new TopicSpec(t, shape.RatePerSecond / shape.Topics, shape.PadBytes))
                .Concat(bulk.Select(t => new TopicSpec(t, shape.BulkRatePerTopic, shape.BulkPadBytes))).ToList();
            var publisher = new CountingPublisher(redis, library, specs);
            await publisher.SeedAsync(cancellationToken).ConfigureAwait(false);
            fleet = new ClientFleet(nodes.Select(n => n.WebSocketAddress).ToList(), publisher.Ledgers, messageBytes: 80 + shape.PadBytes)
            {
                TraceClientId = options.TraceClient ?? -1,
                Trace = options.TraceClient is { } id
                    ? new StreamWriter(Path.Combine(options.RunDirectory, string.Create(CultureInfo.InvariantCulture, $"{scenario}.client{id}.trace"))) { AutoFlush = true }
                    : null,
            };
            fleet.AddHealthy(shape.Clients, topics, shape.TopicsPerClient);
            var cluster = new Cluster(redis, nodes, publisher, fleet, topics, bulk);
            fleet.Start();
            await fleet.WaitAllLiveAsync(TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
            return cluster;
        }
        catch
        {
            if (fleet is not null) await fleet.StopAsync().ConfigureAwait(false);
            foreach (var node in nodes) node.Kill();
            redis.Kill();
            redis.DeleteData();
            throw;
        }
    }

    /// <summary>/proc figures of Redis and every node, by name.</summary>
    public Dictionary<string, ProcSample?> Sample()
    {
        var samples = new Dictionary<string, ProcSample?>(StringComparer.Ordinal) { ["redis"] = Redis.Pid is { } pid ? ProcSample.Read(pid) : null };
        foreach (var node in Nodes) samples[node.ToString()] = node.Sample();
        return samples;
    }

    public static void AddFigures(ScenarioReport report, Dictionary<string, ProcSample?> before, Dictionary<string, ProcSample?> after)
    {
        foreach (var (name, sample) in before) report.Processes.Add(new NodeFigures(name, sample, after.GetValueOrDefault(name)));
    }

    /// <summary>Starts a stopped node again on its port and waits until it is ready.</summary>
    public async Task RestartNodeAsync(GatewayNode node, CancellationToken cancellationToken)
    {
        node.Start();
        await node.WaitReadyAsync(NodeStartTimeout, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await Fleet.StopAsync().ConfigureAwait(false);
        await Publisher.StopAsync().WaitAsync(TimeSpan.FromSeconds(30)).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
        foreach (var node in Nodes) node.Kill();
        Redis.Kill();
        Redis.DeleteData();
    }
}
