using PushGateway.Bus;
using PushGateway.Lifecycle;

namespace PushGateway.Observability;

/// <summary>
/// The /stats document: the node's identity and state, its process, and the <see cref="GatewayMetrics"/>
/// snapshot under "stats". Fields are only ever added, so scripts reading it keep working.
/// </summary>
internal sealed class NodeStatus(GatewayMetrics metrics, IMessageBus bus, Readiness readiness, DrainCoordinator drain, TelemetrySettings telemetry, TimeProvider time)
{
    private readonly DateTimeOffset startedAt = time.GetUtcNow();

    public string NodeId => telemetry.ServiceInstanceId;

    public object Report()
    {
        var (ready, reason) = readiness.Check();
        var now = time.GetUtcNow();
        return new
        {
            node = NodeId,
            bus = bus.Name,
            startedAt,
            at = now,
            uptimeSeconds = Math.Round((now - startedAt).TotalSeconds, 1),
            ready,
            readiness = reason,
            draining = drain.IsDraining,
            process = new
            {
                rssBytes = Environment.WorkingSet,
                cpuSeconds = Environment.CpuUsage.TotalTime.TotalSeconds,
                processorCount = Environment.ProcessorCount,
                gcHeapBytes = GC.GetTotalMemory(forceFullCollection: false),
                threadPoolThreads = ThreadPool.ThreadCount,
                // Cumulative, like cpuSeconds: two readings tell what a window of traffic cost in collections and in pauses.
                gcCollections = new[] { GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2) },
                gcPauseSeconds = GC.GetTotalPauseDuration().TotalSeconds,
            },
            stats = metrics.Snapshot(),
        };
    }
}
