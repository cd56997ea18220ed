using PushGateway.Reliability.Load;
using PushGateway.Reliability.Measure;

namespace PushGateway.Reliability.Clients;

/// <summary>
/// All clients of a scenario and what they share: the node list, the publisher's ledgers (for
/// recovery marks and the final accounting), the delivery-latency histogram and the reconnect times.
/// </summary>
internal sealed class ClientFleet
{
    private readonly List<ResumingClient> clients = [];
    private readonly List<Task> running = [];
    private readonly IReadOnlyDictionary<string, TopicLedger> ledgers;
    private CancellationTokenSource? stopping;
    private long parseErrors;

    public ClientFleet(IReadOnlyList<Uri> nodes, IReadOnlyDictionary<string, TopicLedger> ledgers, int messageBytes)
    {
        Nodes = nodes;
        this.ledgers = ledgers;
        MessageBytes = messageBytes;
    }

    public IReadOnlyList<Uri> Nodes { get; }

    /// <summary>When set, the client with this id appends every server object it receives here (--trace-client).</summary>
    public TextWriter? Trace { get; init; }

    public int TraceClientId { get; init; } = -1;

    /// <summary>About one message on the wire: what a slow reader takes per second.</summary>
    public int MessageBytes { get; }

    public LatencyHistogram Latency { get; } = new();

    /// <summary>From losing a connection to every subscription acknowledged again, per reconnect of a healthy client.</summary>
    public Durations ReconnectTimes { get; } = new();

    public IReadOnlyList<ResumingClient> Clients => clients;

    public IEnumerable<ResumingClient> Healthy => clients.Where(c => c.Role == ClientRole.Healthy);

    public long ParseErrors => Interlocked.Read(ref parseErrors);

    public void CountParseError() => Interlocked.Increment(ref parseErrors);

    public long AckedSeq(string topic) => ledgers[topic].AckedSeq;

    public TopicLedger LedgerOf(string topic) => ledgers[topic];

    /// <summary>
    /// Adds healthy clients round-robin over the nodes, each on <paramref name="topicsPerClient"/> topics
    /// spaced evenly around the list (client i: i, i + step, i + 2 step...), so every topic has
    /// subscribers on several nodes and a node's death touches every topic.
    /// </summary>
    public void AddHealthy(int count, IReadOnlyList<string> topics, int topicsPerClient)
    {
        var step = topics.Count / topicsPerClient + 1;
        for (var i = 0; i < count; i++)
        {
            var chosen = Enumerable.Range(0, Math.Min(topicsPerClient, topics.Count)).Select(k => topics[(i + k * step) % topics.Count]).Distinct().ToList();
            clients.Add(new ResumingClient(this, clients.Count, ClientRole.Healthy, i % Nodes.Count, chosen));
        }
    }

    /// <summary>Adds one client in <paramref name="role"/> that starts on <paramref name="node"/>; call <see cref="Start"/> to run it.</summary>
    public ResumingClient Add(ClientRole role, int node, IReadOnlyList<string> topics)
    {
        var client = new ResumingClient(this, clients.Count, role, node, topics);
        clients.Add(client);
        return client;
    }

    /// <summary>Starts every client not started yet.</summary>
    public void Start()
    {
        stopping ??= new CancellationTokenSource();
        for (var i = running.Count; i < clients.Count; i++)
        {
            var client = clients[i];
            running.Add(Task.Run(() => client.RunAsync(stopping.Token)));
        }
    }

    /// <summary>Waits until every healthy client is connected with all subscriptions acknowledged.</summary>
    public async Task WaitAllLiveAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Clock.NowSeconds + timeout.TotalSeconds;
        while (Healthy.Any(c => !c.IsLive))
        {
            if (Clock.NowSeconds > deadline)
                throw new TimeoutException($"{Healthy.Count(c => !c.IsLive)} of {Healthy.Count()} clients not live after {timeout.TotalSeconds}s");
            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>After a Redis fault: first deliveries of anything published before <paramref name="ackedBeforeFault"/> now count as recovered.</summary>
    public void MarkRecovery(IReadOnlyDictionary<string, long> ackedBeforeFault)
    {
        foreach (var client in clients)
        {
            foreach (var tally in client.Tallies) tally.MarkRecovery(ackedBeforeFault[tally.Topic]);
        }
    }

    /// <summary>Opens a recovery window on every client (see <see cref="TopicTally.OpenRecoveryWindow"/>).</summary>
    public void OpenRecoveryWindow()
    {
        foreach (var client in clients)
        {
            foreach (var tally in client.Tallies) tally.OpenRecoveryWindow();
        }
    }

    /// <summary>Closes the windows; <paramref name="missedBy"/> (node, topic) gives the highest seq the client's node cannot have received live.</summary>
    public void CloseRecoveryWindow(Func<int, string, long> missedBy)
    {
        foreach (var client in clients)
        {
            var node = client.CurrentNode;
            foreach (var tally in client.Tallies) tally.CloseRecoveryWindow(node < 0 ? 0 : missedBy(node, tally.Topic));
        }
    }

    /// <summary>What PUBSUB NUMSUB should say per topic: one subscription per node with a connected subscriber.</summary>
    public Dictionary<string, long> ExpectedNumSub()
    {
        var nodesByTopic = new Dictionary<string, HashSet<int>>(StringComparer.Ordinal);
        foreach (var client in clients)
        {
            var node = client.CurrentNode;
            if (node < 0) continue;
            foreach (var tally in client.Tallies)
            {
                if (!nodesByTopic.TryGetValue(tally.Topic, out var set)) nodesByTopic[tally.Topic] = set = [];
                set.Add(node);
            }
        }
        return nodesByTopic.ToDictionary(p => p.Key, p => (long)p.Value.Count, StringComparer.Ordinal);
    }

    /// <summary>Waits (bounded) until every healthy client is live and has everything published or a gap notice for the tail.</summary>
    public async Task<bool> QuiesceAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var lastN = ledgers.ToDictionary(p => p.Key, p => p.Value.LastPublishedN, StringComparer.Ordinal);
        var deadline = Clock.NowSeconds + timeout.TotalSeconds;
        while (!Healthy.All(c => c.IsLive && c.Tallies.All(t => t.IsSettled(lastN[t.Topic]))))
        {
            if (Clock.NowSeconds > deadline) return false;
            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
        return true;
    }

    /// <summary>
    /// Seconds until every healthy client is live and has every n up to <paramref name="targets"/> (or a
    /// gap notice for the tail), or null when that takes longer than <paramref name="timeout"/>.
    /// </summary>
    public async Task<double?> WaitCaughtUpAsync(IReadOnlyDictionary<string, long> targets, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = Clock.NowSeconds;
        while (!Healthy.All(c => c.IsLive && c.Tallies.All(t => t.IsSettled(targets[t.Topic]))))
        {
            if (Clock.NowSeconds - started > timeout.TotalSeconds) return null;
            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }
        return Clock.NowSeconds - started;
    }

    /// <summary>Lets slow and stalled clients read everything and waits (bounded) for their connections to end.</summary>
    public async Task DrainMisbehavingAsync(TimeSpan timeout)
    {
        var misbehaving = clients.Select((c, i) => (Client: c, Task: i < running.Count ? running[i] : Task.CompletedTask))
            .Where(p => p.Client.Role != ClientRole.Healthy).ToList();
        foreach (var (client, _) in misbehaving) client.Drain();
        await Task.WhenAll(misbehaving.Select(p => p.Task)).WaitAsync(timeout).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
    }

    /// <summary>Sums the accounts of the clients in <paramref name="role"/> against the publisher's ledgers.</summary>
    public TopicAccount Account(ClientRole role)
    {
        var total = new TopicAccount();
        foreach (var client in clients.Where(c => c.Role == role))
        {
            foreach (var tally in client.Tallies)
            {
                var account = tally.Account(ledgers[tally.Topic]);
                for (var i = 0; i < account.LostSample.Count; i++) account.LostSample[i] = $"client {client.Id} on node {client.CurrentNode}: {account.LostSample[i]}";
                total.Add(account);
            }
        }
        return total;
    }

    public Dictionary<int, int> CloseCodes(ClientRole role)
    {
        var total = new Dictionary<int, int>();
        foreach (var client in clients.Where(c => c.Role == role))
        {
            foreach (var (code, count) in client.CloseCodes) total[code] = total.GetValueOrDefault(code) + count;
        }
        return total;
    }

    public int Reconnects(ClientRole role) => clients.Where(c => c.Role == role).Sum(c => c.Reconnects);

    public async Task StopAsync()
    {
        stopping?.Cancel();
        await Task.WhenAll(running).WaitAsync(TimeSpan.FromSeconds(15)).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
        if (Trace is not null) await Trace.DisposeAsync().ConfigureAwait(false);
    }
}
