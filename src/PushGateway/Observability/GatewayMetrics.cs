using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace PushGateway.Observability;

/// <summary>
/// The node's figures, kept as plain counters on the hot path and exposed both as OpenTelemetry
/// instruments (meter "PushGateway") and as the /stats snapshot, so the two never disagree.
/// </summary>
public sealed class GatewayMetrics : IDisposable
{
    public const string MeterName = "PushGateway";

    private readonly Meter meter;
    private readonly Histogram<double> deliveryLatency;
    // The same buckets, kept in process for /stats and /ops, where no OpenTelemetry reader runs.
    private readonly LatencyBuckets latencyBuckets = new();
    private readonly ConcurrentDictionary<string, long> closedByReason = new(StringComparer.Ordinal);
    private long connectionsCurrent, connectionsOpened, subscriptions, busMessagesIn, delivered, framesWritten, framesBatched, conflated, dropped, queuedBytes;
    private int busConnected = 1;
    // Read from the bus itself once bound: its events miss a Redis that was down from the start.
    private Func<bool>? busIsConnected;
    private long gapsDetected, gapsRepaired;
    private Func<int> topicCount = () => 0;
    private Func<int> dispatchQueueLength = () => 0;

    public GatewayMetrics(IMeterFactory meterFactory)
    {
        meter = meterFactory.Create(MeterName);
        meter.CreateObservableUpDownCounter("pushgw.connections.current", () => Volatile.Read(ref connectionsCurrent), "{connection}", "Open WebSocket connections");
        meter.CreateObservableCounter("pushgw.connections.opened", () => Volatile.Read(ref connectionsOpened), "{connection}", "Connections accepted");
        meter.CreateObservableCounter("pushgw.connections.closed", ObserveClosed, "{connection}", "Connections closed, by reason");
        meter.CreateObservableUpDownCounter("pushgw.subscriptions.current", () => Volatile.Read(ref subscriptions), "{subscription}", "Client subscriptions");
        meter.CreateObservableUpDownCounter("pushgw.topics.current", () => topicCount(), "{topic}", "Distinct topics and patterns with local subscribers");
        meter.CreateObservableCounter("pushgw.bus.messages.in", () => Volatile.Read(ref busMessagesIn), "{message}", "Messages received from the bus");
        meter.CreateObservableCounter("pushgw.messages.delivered", () => Volatile.Read(ref delivered), "{message}", "Messages written to client sockets");
        meter.CreateObservableCounter("pushgw.frames.written", () => Volatile.Read(ref framesWritten), "{frame}", "WebSocket frames written (coalescing: deliveries per frame)");
        meter.CreateObservableCounter("pushgw.frames.batched", () => Volatile.Read(ref framesBatched), "{frame}", "Frames handed to the kernel in io_uring batches rather than one send() each (Gateway:IoUringSends)");
        meter.CreateObservableCounter("pushgw.messages.conflated", () => Volatile.Read(ref conflated), "{message}", "Queued values replaced by newer ones");
        meter.CreateObservableCounter("pushgw.messages.dropped", () => Volatile.Read(ref dropped), "{message}", "Messages dropped before reaching a client");
        meter.CreateObservableUpDownCounter("pushgw.queue.depth", () => Volatile.Read(ref queuedBytes), "By", "Bytes waiting in connection send queues");
        meter.CreateObservableUpDownCounter("pushgw.dispatch.queue.depth", () => dispatchQueueLength(), "{message}", "Messages waiting for fan-out");
        meter.CreateObservableCounter("pushgw.gaps.detected", () => Volatile.Read(ref gapsDetected), "{gap}", "Jumps in a topic's sequence seen by this node");
        meter.CreateObservableCounter("pushgw.gaps.repaired", () => Volatile.Read(ref gapsRepaired), "{gap}", "Gaps this node filled from history");
        meter.CreateObservableGauge("pushgw.redis.connected", () => BusConnected ? 1 : 0, description: "1 while the bus connection is up");
        deliveryLatency = meter.CreateHistogram<double>(LatencyBuckets.InstrumentName, "ms", "Bus arrival to socket write, per written frame (its oldest message)",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets.BoundariesMs });
    }

    private long directConnections;

    public long ConnectionsCurrent => Volatile.Read(ref connectionsCurrent);

    public void BindBus(Func<bool> isConnected) => busIsConnected = isConnected;

    private bool BusConnected => busIsConnected?.Invoke() ?? Volatile.Read(ref busConnected) == 1;

    public void BindRouter(Func<int> topics, Func<int> dispatchQueue)
    {
        topicCount = topics;
        dispatchQueueLength = dispatchQueue;
    }

    /// <summary>WebSocket connections now served on the raw socket (the rest are on ASP.NET Core's WebSocket, or SSE).</summary>
    public void DirectConnectionsChanged(int delta) => Interlocked.Add(ref directConnections, delta);

    public void ConnectionOpened()
    {
        Interlocked.Increment(ref connectionsCurrent);
        Interlocked.Increment(ref connectionsOpened);
    }

    public void ConnectionClosed(string reason)
    {
        Interlocked.Decrement(ref connectionsCurrent);
        closedByReason.AddOrUpdate(reason, 1, static (_, n) => n + 1);
    }

    public void SubscriptionAdded() => Interlocked.Increment(ref subscriptions);

    public void SubscriptionRemoved() => Interlocked.Decrement(ref subscriptions);

    public void BusMessageReceived() => Interlocked.Increment(ref busMessagesIn);

    public void MessageDropped() => Interlocked.Increment(ref dropped);

    public void GapDetected() => Interlocked.Increment(ref gapsDetected);

    public void GapRepaired() => Interlocked.Increment(ref gapsRepaired);

    public long GapsDetected => Volatile.Read(ref gapsDetected);

    public long GapsRepaired => Volatile.Read(ref gapsRepaired);

    public void MessagesConflated(int count) => Interlocked.Add(ref conflated, count);

    public void QueuedBytesChanged(long delta) => Interlocked.Add(ref queuedBytes, delta);

    public void FrameWritten(int messages, double oldestLatencyMs)
    {
        Interlocked.Add(ref delivered, messages);
        Interlocked.Increment(ref framesWritten);
        deliveryLatency.Record(oldestLatencyMs);
        latencyBuckets.Record(oldestLatencyMs);
    }

    public void FrameBatched() => Interlocked.Increment(ref framesBatched);

    public void BusConnectionChanged(bool connected) => Volatile.Write(ref busConnected, connected ? 1 : 0);

    public long ClosedCount(string reason) => closedByReason.TryGetValue(reason, out var n) ? n : 0;

    public StatsSnapshot Snapshot() => new(
        ConnectionsCurrent: Volatile.Read(ref connectionsCurrent),
        ConnectionsOpened: Volatile.Read(ref connectionsOpened),
        ConnectionsClosed: new SortedDictionary<string, long>(closedByReason),
        Subscriptions: Volatile.Read(ref subscriptions),
        Topics: topicCount(),
        DirectConnections: Volatile.Read(ref directConnections),
        BusMessagesIn: Volatile.Read(ref busMessagesIn),
        MessagesDelivered: Volatile.Read(ref delivered),
        FramesWritten: Volatile.Read(ref framesWritten),
        FramesBatched: Volatile.Read(ref framesBatched),
        MessagesConflated: Volatile.Read(ref conflated),
        MessagesDropped: Volatile.Read(ref dropped),
        QueuedBytes: Volatile.Read(ref queuedBytes),
        DispatchQueue: dispatchQueueLength(),
        BusConnected: BusConnected,
        DeliveryLatency: latencyBuckets.Snapshot());

    public void Dispose() => meter.Dispose();

    private IEnumerable<Measurement<long>> ObserveClosed()
    {
        foreach (var (reason, count) in closedByReason)
            yield return new Measurement<long>(count, new KeyValuePair<string, object?>("reason", reason));
    }
}

/// <summary>The /stats figures at one moment.</summary>
public sealed record StatsSnapshot(
    long ConnectionsCurrent,
    long ConnectionsOpened,
    IReadOnlyDictionary<string, long> ConnectionsClosed,
    long Subscriptions,
    int Topics,
    long DirectConnections,
    long BusMessagesIn,
    long MessagesDelivered,
    long FramesWritten,
    long FramesBatched,
    long MessagesConflated,
    long MessagesDropped,
    long QueuedBytes,
    int DispatchQueue,
    bool BusConnected,
    LatencySnapshot DeliveryLatency);
