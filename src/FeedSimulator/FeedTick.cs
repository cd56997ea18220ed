namespace FeedSimulator;

/// <summary>One generated message: the topic, its UTF-8 JSON payload (owned by the tick), and its simulated timestamp.</summary>
public readonly record struct FeedTick(string Topic, ReadOnlyMemory<byte> Payload, DateTimeOffset Timestamp);
