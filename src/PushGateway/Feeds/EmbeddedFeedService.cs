using FeedSimulator;
using Microsoft.Extensions.Options;
using PushGateway.Bus;
using PushGateway.Configuration;

namespace PushGateway.Feeds;

/// <summary>
/// Runs the feed simulator inside the node, publishing through the node's own bus, so a single
/// `dotnet run` shows live data. On by default only when no Redis is configured.
/// </summary>
internal sealed partial class EmbeddedFeedService(
    IMessageBus bus,
    IOptions<FeedOptions> feedOptions,
    IOptions<EmbeddedFeedOptions> embeddedOptions,
    IOptions<RedisOptions> redisOptions,
    ILogger<EmbeddedFeedService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var enabled = embeddedOptions.Value.Enabled ?? !redisOptions.Value.IsConfigured;
        if (!enabled) return;
        LogStarting(logger, bus.Name);
        try
        {
            await new FeedEngine(feedOptions.Value, TimeProvider.System).RunAsync(new BusFeedSink(bus), stoppingToken);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            LogFailed(logger, ex);
        }
    }

    private sealed class BusFeedSink(IMessageBus bus) : IFeedSink
    {
        public ValueTask PublishAsync(string topic, ReadOnlyMemory<byte> utf8Json, CancellationToken cancellationToken) =>
            new(bus.PublishAsync(topic, utf8Json, cancellationToken));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Embedded feed simulator publishing to the {Bus} bus")]
    private static partial void LogStarting(ILogger logger, string bus);

    [LoggerMessage(Level = LogLevel.Error, Message = "Embedded feed simulator stopped")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}

/// <summary>The "Feeds:Enabled" switch; the rest of section "Feeds" is the simulator's own <see cref="FeedOptions"/>.</summary>
public sealed class EmbeddedFeedOptions
{
    /// <summary>Null: on when no Redis is configured (single-node demo), off otherwise.</summary>
    public bool? Enabled { get; set; }
}
