using System.Collections.Concurrent;
using System.Diagnostics;
using LoadGen.Cli;
using LoadGen.Measurement;
using LoadGen.Protocols;
using LoadGen.Reporting;

namespace LoadGen.Clients;

/// <summary>
/// The subscribers of one process: its share of the clients, connected with bounded concurrency,
/// and the per-phase counters every client records into.
/// </summary>
public sealed class ClientPool
{
    private readonly LoadOptions _options;
    private readonly Schedule _schedule;
    private readonly List<BenchClient> _clients = [];
    private readonly PhaseCounters[] _phases;
    private readonly ConcurrentDictionary<string, long> _errors = new();
    private long _arrivals, _retries, _connectErrors, _disconnects, _protocolErrors, _unmatched, _unplanned, _subscribeErrors;

    public ClientPool(LoadOptions options, Schedule schedule, int workerIndex, int workerCount)
    {
        _options = options;
        _schedule = schedule;
        _phases = schedule.Phases.Select(_ => new PhaseCounters()).ToArray();
        var (start, end) = LoadOptions.ShareOf(options.Connections, workerIndex, workerCount);
        var sources = options.SourceIpsOf(workerIndex, workerCount);
        IPushGwCodec codec = options.Protocol == WireProtocol.MessagePack ? new PushGwMessagePackCodec() : new PushGwJsonCodec();
        for (var c = start; c < end; c++)
        {
            // Client c takes K consecutive topics starting at c*K: with N*K a multiple of T every topic gets N*K/T subscribers.
            var subs = new SubscriptionTracker[options.SubsPerConnection];
            for (var j = 0; j < subs.Length; j++)
            {
                var topic = (int)(((long)c * options.SubsPerConnection + j) % options.Topics);
                subs[j] = new SubscriptionTracker(topic, options.TopicPrefix + topic);
            }
            var client = new BenchClient(this, c, options.Urls[c % options.Urls.Count], sources[(c - start) % sources.Count], subs);
            client.Session = options.Target == Target.SocketIo
                ? new SocketIoSession(client)
                : new PushGwSession(client, codec, options.MaxRate);
            _clients.Add(client);
        }
    }

    public int Count => _clients.Count;

    public async Task<ConnectSummary> ConnectAllAsync(CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        using var gate = new SemaphoreSlim(_options.ConnectConcurrency);
        // Each connect blocks a pool thread (BenchClient.StartAsync): without this the pool would grow by
        // about one thread a second and 19,000 connects would crawl.
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, _options.ConnectConcurrency + Environment.ProcessorCount), io);
        var established = 0;
        var tasks = _clients.Select(async client =>
        {
            await gate.WaitAsync(ct);
            try
            {
                if (await client.StartAsync(TimeSpan.FromSeconds(30), ct)) Interlocked.Increment(ref established);
            }
            finally { gate.Release(); }
        }).ToList();
        await Task.WhenAll(tasks);
        return new ConnectSummary
        {
            Requested = _clients.Count,
            Established = established,
            Failed = _clients.Count - established,
            Retries = Interlocked.Read(ref _retries),
            Seconds = sw.Elapsed.TotalSeconds,
            SubscriptionsRequested = _clients.Sum(c => c.Subscriptions.Length),
            SubscriptionsAcked = _clients.Sum(c => c.Subscriptions.Count(s => s.Acked)),
        };
    }

    /// <summary>Records one arrival; returns its phase (or -1 when it was not in the plan).</summary>
    public int Record(SubscriptionTracker sub, long seq, long scheduledMicros, long nowMicros)
    {
        Interlocked.Increment(ref _arrivals);
        var phase = _schedule.PhaseOf(sub.TopicIndex, seq);
        if (phase < 0) { Interlocked.Increment(ref _unplanned); return -1; }
        var c = _phases[phase];
        if (!sub.Record(seq, out var outOfOrder)) { Interlocked.Increment(ref c.Duplicates); return phase; }
        if (outOfOrder) Interlocked.Increment(ref c.OutOfOrder);
        Interlocked.Increment(ref c.Delivered);
        c.Latency.Record(nowMicros - scheduledMicros);
        long seen;
        while (nowMicros > (seen = Volatile.Read(ref c.LastArrivalMicros))
            && Interlocked.CompareExchange(ref c.LastArrivalMicros, nowMicros, seen) != seen) { }
        return phase;
    }

    public void CountFrame(int phase, int messages)
    {
        if (phase < 0) return;
        Interlocked.Increment(ref _phases[phase].Frames);
        Interlocked.Add(ref _phases[phase].FrameMessages, messages);
    }

    public void CountRetry() => Interlocked.Increment(ref _retries);
    public void CountUnmatched() => Interlocked.Increment(ref _unmatched);
    public void CountProtocolError() => Interlocked.Increment(ref _protocolErrors);

    public void CountConnectError(string message)
    {
        Interlocked.Increment(ref _connectErrors);
        _errors.AddOrUpdate("connect: " + message, 1, (_, n) => n + 1);
    }

    public void CountSubscribeError(string code)
    {
        Interlocked.Increment(ref _subscribeErrors);
        _errors.AddOrUpdate("subscribe: " + code, 1, (_, n) => n + 1);
    }

    public void CountDisconnect(int? closeStatus, string? error)
    {
        Interlocked.Increment(ref _disconnects);
        _errors.AddOrUpdate(error is null ? $"closed by server: {closeStatus?.ToString() ?? "no close frame"}" : "disconnected: " + error, 1, (_, n) => n + 1);
    }

    /// <summary>Deliveries so far and those expected for one phase, to tell when a drain is complete.</summary>
    public (long Delivered, long Expected, long Arrivals) Progress(int phase) =>
        (Interlocked.Read(ref _phases[phase].Delivered), ExpectedFor(phase), Interlocked.Read(ref _arrivals));

    private long ExpectedFor(int phase)
    {
        long expected = 0;
        foreach (var client in _clients)
            foreach (var sub in client.Subscriptions)
                if (sub.Acked) expected += _schedule.ExpectedFor(sub.TopicIndex, phase);
        return expected;
    }

    /// <summary>Subscriptions whose last message of the phase never came: what conflation (maxRate) must never lose.</summary>
    private long FinalMissing(int phase)
    {
        long missing = 0;
        foreach (var client in _clients)
            foreach (var sub in client.Subscriptions)
            {
                if (!sub.Acked) continue;
                var last = _schedule.LastSeqFor(sub.TopicIndex, phase);
                if (last >= 0 && !sub.Has(last)) missing++;
            }
        return missing;
    }

    public WorkerReport BuildReport()
    {
        var proc = Process.GetCurrentProcess();
        return new WorkerReport
        {
            Connections = _clients.Count,
            Connected = _clients.Count(c => c.Connected),
            Disconnects = Interlocked.Read(ref _disconnects),
            Retries = Interlocked.Read(ref _retries),
            ConnectErrors = Interlocked.Read(ref _connectErrors),
            SubscriptionsRequested = _clients.Sum(c => c.Subscriptions.Length),
            SubscriptionsAcked = _clients.Sum(c => c.Subscriptions.Count(s => s.Acked)),
            SubscribeErrors = Interlocked.Read(ref _subscribeErrors),
            ProtocolErrors = Interlocked.Read(ref _protocolErrors),
            Unmatched = Interlocked.Read(ref _unmatched),
            Unplanned = Interlocked.Read(ref _unplanned),
            Errors = new SortedDictionary<string, long>(_errors),
            CpuMs = (long)proc.TotalProcessorTime.TotalMilliseconds,
            Phases = _phases.Select((c, i) => new WorkerPhase
            {
                Index = i,
                Expected = ExpectedFor(i),
                FinalMissing = FinalMissing(i),
                Delivered = Interlocked.Read(ref c.Delivered),
                Duplicates = Interlocked.Read(ref c.Duplicates),
                OutOfOrder = Interlocked.Read(ref c.OutOfOrder),
                Frames = Interlocked.Read(ref c.Frames),
                FrameMessages = Interlocked.Read(ref c.FrameMessages),
                LastArrivalMicros = Interlocked.Read(ref c.LastArrivalMicros),
                Latency = c.Latency.ToData(),
            }).ToList(),
        };
    }

    public async Task StopAsync() => await Task.WhenAll(_clients.Select(c => c.StopAsync()));
}
