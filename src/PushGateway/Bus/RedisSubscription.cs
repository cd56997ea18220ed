using PushGateway.Topics;
using StackExchange.Redis;

namespace PushGateway.Bus;

/// <summary>
/// One Redis SUBSCRIBE or PSUBSCRIBE and the node's keys it serves: several patterns (fx.* and fx.>)
/// share one glob. The key list is copy-on-write because the Redis handler reads it without a lock.
/// </summary>
internal sealed class RedisSubscription(string name, bool isPattern)
{
    private volatile TopicPattern[] patterns = [];

    public string Name { get; } = name;

    public RedisChannel Channel { get; } = new(name, isPattern ? RedisChannel.PatternMode.Pattern : RedisChannel.PatternMode.Literal);

    public bool IsPattern { get; } = isPattern;

    /// <summary>Kept so the watchdog can subscribe the same handler again, or on a new connection.</summary>
    public Action<RedisChannel, RedisValue> Handler { get; set; } = static (_, _) => { };

    public Task Pending { get; set; } = Task.CompletedTask;

    public TopicPattern[] Patterns => patterns;

    /// <summary>Called under the bus's lock.</summary>
    public void Add(TopicPattern pattern) => patterns = [.. patterns, pattern];

    /// <summary>Called under the bus's lock; returns how many keys remain.</summary>
    public int Remove(string key)
    {
        patterns = Array.FindAll(patterns, p => p.Text != key);
        return patterns.Length;
    }
}
