namespace PushGateway.Bus;

/// <summary>
/// The seam between a node and whatever carries messages between nodes: the in-process bus for a
/// single node, Redis pub/sub for a fleet. Both pass one contract suite. The router reference-counts
/// keys, so the bus sees each key subscribed at most once until it is unsubscribed.
/// </summary>
public interface IMessageBus : IAsyncDisposable
{
    /// <summary>Whether messages published elsewhere currently reach this node.</summary>
    bool IsConnected { get; }

    /// <summary>A short name for logs and /stats: "in-process" or "redis".</summary>
    string Name { get; }

    void Attach(IBusListener listener);

    /// <summary>Completes once messages on <paramref name="key"/> (a topic or a pattern) reach the listener.</summary>
    Task SubscribeAsync(string key, CancellationToken cancellationToken);

    Task UnsubscribeAsync(string key, CancellationToken cancellationToken);

    Task PublishAsync(string topic, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken);
}
