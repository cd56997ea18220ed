using Microsoft.Extensions.Options;
using PushGateway.Bus;
using PushGateway.Configuration;
using PushGateway.Observability;
using PushGateway.Topics;

namespace PushGateway.Connections;

/// <summary>What every connection shares: one instance per node, so a connection holds one reference, not seven.</summary>
internal sealed class ConnectionServices(
    TopicRouter router,
    IMessageHistory history,
    IOptions<GatewayOptions> options,
    IOptions<HistoryOptions> historyOptions,
    GatewayMetrics metrics,
    TimeProvider time,
    ConnectionRegistry registry,
    ILoggerFactory loggerFactory)
{
    public TopicRouter Router { get; } = router;

    public IMessageHistory History { get; } = history;

    public GatewayOptions Options { get; } = options.Value;

    public HistoryOptions HistoryOptions { get; } = historyOptions.Value;

    public GatewayMetrics Metrics { get; } = metrics;

    public TimeProvider Time { get; } = time;

    public ConnectionRegistry Registry { get; } = registry;

    public ILogger Logger { get; } = loggerFactory.CreateLogger("PushGateway.Connections");
}
