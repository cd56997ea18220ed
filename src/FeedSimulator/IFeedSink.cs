namespace FeedSimulator;

/// <summary>Where generated ticks go: Redis for the standalone simulator, the gateway's bus when embedded.</summary>
public interface IFeedSink
{
    /// <summary>Publishes one UTF-8 JSON payload on a topic. Must not block for long: feeds run on a timer.</summary>
    ValueTask PublishAsync(string topic, ReadOnlyMemory<byte> utf8Json, CancellationToken cancellationToken);
}
