using System.Collections.Concurrent;
using System.Diagnostics;
using PushGateway.Topics;

namespace PushGateway.Bus;

/// <summary>The embedded default: one node, no Redis. Same semantics as <see cref="RedisBus"/>.</summary>
public sealed class InProcessBus : IMessageBus
{
    private readonly ConcurrentDictionary<string, byte> topics = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TopicPattern> patterns = new(StringComparer.Ordinal);
    private IBusListener? listener;

    public bool IsConnected => true;

    public string Name => "in-process";

    public void Attach(IBusListener busListener) => listener = busListener;

    public Task SubscribeAsync(string key, CancellationToken cancellationToken)
    {
        var pattern = TopicPattern.Parse(key);
        if (pattern.IsPattern) patterns[key] = pattern;
        else topics[key] = 0;
        return Task.CompletedTask;
    }

    public Task UnsubscribeAsync(string key, CancellationToken cancellationToken)
    {
        topics.TryRemove(key, out _);
        patterns.TryRemove(key, out _);
        return Task.CompletedTask;
    }

    public Task PublishAsync(string topic, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        if (!TopicName.IsValidTopic(topic)) throw new ArgumentException($"'{topic}' is not a valid topic", nameof(topic));
        var target = listener;
        if (target is null) return Task.CompletedTask;
        // The publisher may reuse its buffer once this returns; subscribers read the copy later.
        var copy = payload.ToArray();
        var now = Stopwatch.GetTimestamp();
        if (topics.ContainsKey(topic)) target.OnMessage(new BusMessage(topic, topic, copy, now));
        foreach (var (key, pattern) in patterns)
        {
            if (pattern.Matches(topic)) target.OnMessage(new BusMessage(topic, key, copy, now));
        }
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
