using System.Diagnostics;
using LoadGen.Cli;
using LoadGen.Clients;
using LoadGen.Measurement;
using LoadGen.Publishing;
using LoadGen.Reporting;

namespace LoadGen.Coordination;

/// <summary>
/// Runs one benchmark: connects every worker's subscribers, reads the servers' memory, publishes
/// the schedule (the only publisher, whatever the number of processes), waits for deliveries to
/// drain, reads the servers' CPU over each measured window, and merges the workers' reports.
/// </summary>
public sealed class Coordinator(LoadOptions o)
{
    private readonly Schedule _schedule = Schedule.For(o);
    private readonly List<IWorker> _workers = [];
    private readonly GatewayStats _gatewayStats = new(o.Urls);

    public async Task<RunReport> RunAsync(CancellationToken ct)
    {
        var report = NewReport();
        var pids = o.GatewayPids;
        report.Server.RssBeforeKb = ProcessStats.RssKb(pids);
        try
        {
            if (o.Processes > 1)
                for (var i = 0; i < o.Processes; i++) _workers.Add(new ChildProcessWorker(o.ToWorkerArgs(i, o.Processes)));
            else
                _workers.Add(new InProcessWorker(new ClientPool(o, _schedule, 0, 1)));

            Log($"connecting {o.Connections} clients ({o.SubsPerConnection} subscriptions each) over {o.Processes} process(es)");
            var summaries = await Task.WhenAll(_workers.Select(w => w.ConnectAsync(ct)));
            report.Connect = Merge(summaries);
            Log($"connected {report.Connect.Established}/{report.Connect.Requested} in {report.Connect.Seconds:F1}s, " +
                $"{report.Connect.SubscriptionsAcked}/{report.Connect.SubscriptionsRequested} subscriptions acknowledged");

            // Let the servers settle (GC, pending allocations) before reading their memory.
            await Task.Delay(o.Idle ? 3000 : 1000, ct);
            report.Server.RssAfterConnectKb = ProcessStats.RssKb(pids);
            if (report.Connect.Established > 0)
                report.Server.RssPerConnectionBytes = (report.Server.RssAfterConnectKb - report.Server.RssBeforeKb) * 1024.0 / report.Connect.Established;

            if (o.Idle)
            {
                Log($"idle for {o.Duration.TotalSeconds:F0}s");
                var before = CpuSnapshot();
                await Task.Delay(o.Duration, ct);
                var after = CpuSnapshot();
                report.Server.IdleCpuPercent = 100 * (after.ServerMs - before.ServerMs) / ((after.Micros - before.Micros) / 1000.0);
            }
            else
            {
                await using var publisher = CreatePublisher();
                if (o.Ramp) await RunRampAsync(publisher, report, ct);
                else await RunFixedAsync(publisher, report, ct);
            }
            report.Server.RssEndKb = ProcessStats.RssKb(pids);
            await FinishAsync(report);
        }
        finally
        {
            await Task.WhenAll(_workers.Select(w => w.StopAsync()));
            foreach (var w in _workers) await w.DisposeAsync();
        }
        return report;
    }

    private async Task RunFixedAsync(IPublisher publisher, RunReport report, CancellationToken ct)
    {
        var phases = _schedule.Phases;
        var start = WallClock.NowMicros + LeadMicros;
        var measured = phases.Single(p => p.Measured);
        var measuredStart = start + (long)(phases.TakeWhile(p => !p.Measured).Sum(p => p.Seconds) * 1e6);
        Log($"publishing {o.Rate:F0} msg/s to {o.Topics} topics: {o.Warmup.TotalSeconds:F0}s warm-up, {o.Duration.TotalSeconds:F0}s measured");

        // The CPU window opens when the measured phase is scheduled to start, whatever the publisher is doing.
        var cpuAtStart = Task.Run(async () =>
        {
            var wait = (measuredStart - WallClock.NowMicros) / 1000;
            if (wait > 0) await Task.Delay(TimeSpan.FromMilliseconds(wait), ct);
            var cpu = CpuSnapshot();
            return (cpu, await GatewayStatsAsync());
        }, ct);
        var published = await publisher.PublishAsync(phases, start, ct);
        var (before, gatewayBefore) = await cpuAtStart;
        var drain = await DrainAsync(measured.Index);
        var after = CpuSnapshot();
        var gatewayAfter = await GatewayStatsAsync();
        // The warm-up is reported too (without CPU figures): when a server falls behind, its
        // deliveries show where the backlog went.
        foreach (var p in phases.Where(p => !p.Measured && p.Count > 0))
        {
            var r = await PhaseReportAsync(p, published, after, after, 0, start);
            r.ServerCpuMs = r.ServerCpuMsPer1kDeliveries = r.DeliveriesPerServerCpuSecond = r.ServerCpuUtilisation = r.LoadGenCpuMs = r.OtherCpuMs = 0;
            r.FinalMissing = 0; // later phases' messages supersede a warm-up's last value
            r.MachineCpuBusyPercent = 0;
            report.Phases.Add(r);
        }
        var result = await PhaseReportAsync(measured, published, before, after, drain, measuredStart);
        result.Gateway = GatewayStats.Snapshot.Between(gatewayBefore, gatewayAfter);
        report.Phases.Add(result);
        report.Result = report.Phases[^1];
    }

    private async Task RunRampAsync(IPublisher publisher, RunReport report, CancellationToken ct)
    {
        var phases = _schedule.Phases;
        var warmup = phases.Where(p => p.Name == "warmup").ToList();
        if (warmup.Count > 0)
        {
            Log($"warm-up at {warmup[0].Rate:F0} msg/s");
            await publisher.PublishAsync(warmup, WallClock.NowMicros + LeadMicros, ct);
            await DrainAsync(warmup[0].Index);
        }
        foreach (var step in phases.Where(p => p.Measured))
        {
            Log($"{step.Name}: {step.Rate:F0} msg/s for {step.Seconds:F0}s");
            var start = WallClock.NowMicros + LeadMicros;
            var gatewayBefore = await GatewayStatsAsync();
            var before = CpuSnapshot();
            var published = await publisher.PublishAsync([step], start, ct);
            var drain = await DrainAsync(step.Index);
            var after = CpuSnapshot();
            var r = await PhaseReportAsync(step, published, before, after, drain, start);
            r.Gateway = GatewayStats.Snapshot.Between(gatewayBefore, await GatewayStatsAsync());
            report.Phases.Add(r);
            var holds = r.Lost == 0 && r.Duplicates == 0 && r.Latency.P99Ms <= o.RampMaxP99Ms;
            Log($"{step.Name}: delivered {r.DeliveredPerSec:F0}/s, lost {r.Lost}, p99 {r.Latency.P99Ms:F1} ms -> {(holds ? "holds" : "saturated")}");
            if (!holds) break;
            report.Result = r;
            await Task.Delay(1000, ct); // a quiet gap: the next step starts with empty queues
        }
    }

    /// <summary>
    /// Waits until a phase's deliveries are all in, or nothing at all has arrived for 3 s (a
    /// backlog of earlier phases still draining counts as progress), or the drain timeout passes.
    /// </summary>
    private async Task<double> DrainAsync(int phase)
    {
        var sw = Stopwatch.StartNew();
        long last = -1;
        var still = Stopwatch.StartNew();
        while (sw.Elapsed < o.DrainTimeout)
        {
            var progress = await Task.WhenAll(_workers.Select(w => w.ProgressAsync(phase)));
            if (progress.Sum(p => p.Delivered) >= progress.Sum(p => p.Expected)) break;
            var arrivals = progress.Sum(p => p.Arrivals);
            if (arrivals != last) { last = arrivals; still.Restart(); }
            else if (still.Elapsed > TimeSpan.FromSeconds(3)) break;
            await Task.Delay(100);
        }
        return sw.Elapsed.TotalSeconds;
    }

    /// <summary>The gateways' own latency histogram; only our gateway has one (Socket.IO has no /stats).</summary>
    private Task<GatewayStats.Snapshot?> GatewayStatsAsync() =>
        o.Target == Target.PushGw ? _gatewayStats.ReadAsync() : Task.FromResult<GatewayStats.Snapshot?>(null);

    private CpuSample CpuSnapshot()
    {
        var (busy, total) = ProcessStats.MachineCpuMs();
        return new CpuSample(ProcessStats.CpuMs(o.GatewayPids),
            ProcessStats.CpuMs(_workers.Select(w => w.Pid).Append(Environment.ProcessId).Distinct()),
            busy, total, WallClock.NowMicros);
    }

    private readonly record struct CpuSample(double ServerMs, double LoadGenMs, double MachineBusyMs, double MachineTotalMs, long Micros);

    private async Task<PhaseReport> PhaseReportAsync(Phase phase, PublishResult published,
        CpuSample before, CpuSample after, double drainSeconds, long phaseStartMicros)
    {
        var reports = await Task.WhenAll(_workers.Select(w => w.ReportAsync()));
        var parts = reports.Select(r => r.Phases[phase.Index]).ToList();
        var histogram = new LatencyHistogram();
        foreach (var p in parts) histogram.Add(LatencyHistogram.FromData(p.Latency));
        var delivered = parts.Sum(p => p.Delivered);
        var frameMessages = parts.Sum(p => p.FrameMessages);
        var frames = parts.Sum(p => p.Frames);
        // A server that exited (or was stopped by someone else) mid-window takes its CPU time with it.
        var serverGone = !ProcessStats.AllAlive(o.GatewayPids);
        var serverMs = serverGone ? 0 : after.ServerMs - before.ServerMs;
        var window = (after.Micros - before.Micros) / 1e6;
        var lastArrival = parts.Count == 0 ? 0 : parts.Max(p => p.LastArrivalMicros);
        var span = lastArrival == 0 ? 0 : (lastArrival - phaseStartMicros) / 1e6;
        return new PhaseReport
        {
            Name = phase.Name,
            Rate = phase.Rate,
            Seconds = phase.Seconds,
            Measured = phase.Measured,
            Published = published.PublishedPerPhase.Count == 0 ? published.Published : OfPhase(published.PublishedPerPhase, phase),
            PublishErrors = published.Errors,
            PublishNoReceivers = published.NoReceivers,
            MaxPublishLagMs = published.MaxLagMs,
            PublishLag = OfPhase(published.LagPerPhase, phase),
            Expected = parts.Sum(p => p.Expected),
            Delivered = delivered,
            Lost = parts.Sum(p => p.Expected) - delivered,
            FinalMissing = parts.Sum(p => p.FinalMissing),
            Conflating = o.MaxRate is not null,
            Duplicates = parts.Sum(p => p.Duplicates),
            OutOfOrder = parts.Sum(p => p.OutOfOrder),
            DeliveredPerSec = delivered / Math.Max(phase.Seconds, span),
            DeliverySpanSeconds = span,
            Frames = frames,
            FramesPerDelivery = frameMessages == 0 ? 0 : (double)frames / frameMessages,
            Latency = histogram.Summarize(),
            ServerExited = serverGone,
            ServerCpuMs = serverMs,
            ServerCpuMsPer1kDeliveries = delivered == 0 ? 0 : serverMs / (delivered / 1000.0),
            ServerCpuUtilisation = window <= 0 ? 0 : serverMs / 1000.0 / window,
            DeliveriesPerServerCpuSecond = serverMs <= 0 ? 0 : delivered / (serverMs / 1000.0),
            LoadGenCpuMs = after.LoadGenMs - before.LoadGenMs,
            MachineCpuBusyPercent = after.MachineTotalMs <= before.MachineTotalMs ? 0
                : 100 * (after.MachineBusyMs - before.MachineBusyMs) / (after.MachineTotalMs - before.MachineTotalMs),
            OtherCpuMs = serverGone ? 0 : (after.MachineBusyMs - before.MachineBusyMs) - serverMs - (after.LoadGenMs - before.LoadGenMs),
            LoadAverage = ProcessStats.LoadAverage(),
            WindowSeconds = window,
            DrainSeconds = drainSeconds,
            Histogram = histogram.ToData(),
        };
    }

    /// <summary>A publisher's per-phase figure: its only one when it was given this phase alone (a ramp step), else the phase's own.</summary>
    private static T? OfPhase<T>(List<T> perPhase, Phase phase) =>
        perPhase.Count == 1 ? perPhase[0] : perPhase.Count > phase.Index ? perPhase[phase.Index] : default;

    private async Task FinishAsync(RunReport report)
    {
        var reports = await Task.WhenAll(_workers.Select(w => w.ReportAsync()));
        report.Disconnects = reports.Sum(r => r.Disconnects);
        report.ProtocolErrors = reports.Sum(r => r.ProtocolErrors);
        report.SubscribeErrors = reports.Sum(r => r.SubscribeErrors);
        report.Unmatched = reports.Sum(r => r.Unmatched);
        report.Unplanned = reports.Sum(r => r.Unplanned);
        foreach (var r in reports)
            foreach (var (k, v) in r.Errors)
                report.Errors[k] = report.Errors.GetValueOrDefault(k) + v;
        var connected = report.Connect.Failed == 0
            && report.Connect.SubscriptionsAcked == report.Connect.SubscriptionsRequested
            && report.Disconnects == 0 && report.ProtocolErrors == 0 && report.Unmatched == 0;
        // A ramp ends on the step that broke, so only the steps that held must be loss-free.
        report.Clean = connected && (o.Idle || (report.Result is { } res && res.Expected > 0 && res.PublishErrors == 0
            && (o.Ramp || ((res.Lost == 0 || res.Conflating) && res.FinalMissing == 0 && res.Duplicates == 0))));
    }

    /// <summary>How far ahead of now a group of phases is scheduled: publisher.mjs needs time to start node and connect.</summary>
    private long LeadMicros => o.Target == Target.SocketIo && o.SocketIoPublisher == SocketIoPublisher.Node ? 2_000_000 : 300_000;

    private IPublisher CreatePublisher()
    {
        if (o.Target == Target.PushGw)
            return new PushGwPublisher(o.Redis, o.MaxInFlight, o.Topics, o.TopicPrefix, o.PayloadBytes);
        if (o.SocketIoPublisher == SocketIoPublisher.Node)
            return new NodeEmitterPublisher(o.SocketIoDir ?? FindSocketIoDir(), o.Redis, o.Topics, o.TopicPrefix, o.PayloadBytes);
        return new SocketIoEmitterPublisher(o.Redis, o.MaxInFlight, o.Topics, o.TopicPrefix, o.PayloadBytes);
    }

    private static string FindSocketIoDir()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "bench", "socketio");
            if (File.Exists(Path.Combine(candidate, "publisher.mjs"))) return candidate;
            if (File.Exists(Path.Combine(dir.FullName, "socketio", "publisher.mjs"))) return Path.Combine(dir.FullName, "socketio");
        }
        throw new InvalidOperationException("bench/socketio not found: pass --sio-dir");
    }

    private RunReport NewReport() => new()
    {
        Label = o.Label,
        Target = o.Target == Target.SocketIo ? "socketio" : "pushgw",
        Protocol = o.Protocol == WireProtocol.MessagePack ? "msgpack" : "json",
        StartedUtc = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
        Mode = o.Idle ? "idle" : o.Ramp ? "ramp" : "fixed",
        Settings = new RunSettings
        {
            Urls = o.Urls.Select(u => u.ToString()).ToList(),
            Connections = o.Connections,
            Topics = o.Topics,
            SubsPerConnection = o.SubsPerConnection,
            Rate = o.Rate,
            DurationSeconds = o.Duration.TotalSeconds,
            WarmupSeconds = o.Warmup.TotalSeconds,
            PayloadBytes = o.PayloadBytes,
            Processes = o.Processes,
            SourceIps = o.SourceIps.Count,
            MaxRate = o.MaxRate,
            ServerPids = o.GatewayPids.ToList(),
            Publisher = o.Target == Target.PushGw ? "csharp-redis" : o.SocketIoPublisher == SocketIoPublisher.Node ? "node-emitter" : "csharp-emitter",
        },
    };

    private static ConnectSummary Merge(IEnumerable<ConnectSummary> parts)
    {
        var list = parts.ToList();
        return new ConnectSummary
        {
            Requested = list.Sum(p => p.Requested),
            Established = list.Sum(p => p.Established),
            Failed = list.Sum(p => p.Failed),
            Retries = list.Sum(p => p.Retries),
            Seconds = list.Count == 0 ? 0 : list.Max(p => p.Seconds),
            SubscriptionsRequested = list.Sum(p => p.SubscriptionsRequested),
            SubscriptionsAcked = list.Sum(p => p.SubscriptionsAcked),
        };
    }

    private static void Log(string message) => Console.Error.WriteLine($"[loadgen {DateTime.Now:HH:mm:ss}] {message}");
}
