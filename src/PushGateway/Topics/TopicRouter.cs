using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using PushGateway.Bus;
using PushGateway.Configuration;
using PushGateway.Observability;
using PushGateway.Protocol;

namespace PushGateway.Topics;

/// <summary>
/// Routes bus messages to local subscribers and keeps exactly one bus subscription per key that
/// has local subscribers. It never waits for a client: delivery only queues.
/// </summary>
public sealed partial class TopicRouter : IBusListener, IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, SubscriberSet> sets = new(StringComparer.Ordinal);
    private readonly IMessageBus bus;
    private readonly GatewayMetrics metrics;
    private readonly ILogger<TopicRouter> logger;
    private readonly MessageDispatcher dispatcher;

    public TopicRouter(IMessageBus bus, IOptions<GatewayOptions> options, GatewayMetrics metrics, ILogger<TopicRouter> logger)
    {
        this.bus = bus;
        this.metrics = metrics;
        this.logger = logger;
        var shards = options.Value.DispatchShards > 0 ? options.Value.DispatchShards : Environment.ProcessorCount;
        dispatcher = new MessageDispatcher(shards, options.Value.DispatchQueueCapacity, Dispatch, ex => LogDispatchFailed(logger, ex));
        bus.Attach(this);
    }

    /// <summary>Distinct topics and patterns with at least one local subscriber.</summary>
    public int KeyCount => sets.Count;

    public int DispatchQueueLength => dispatcher.QueuedCount;

    /// <summary>Completes when messages on the subscriber's key reach it; the first local subscriber waits for the bus.</summary>
    public async Task SubscribeAsync(ITopicSubscriber subscriber, CancellationToken cancellationToken)
    {
        var key = subscriber.Key.Text;
        while (true)
        {
            var set = sets.GetOrAdd(key, static k => new SubscriberSet(k));
            await set.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (set.Removed) continue;
                if (!set.BusSubscribed)
                {
                    try
                    {
                        await bus.SubscribeAsync(key, cancellationToken).ConfigureAwait(false);
                    }
                    catch
                    {
                        Retire(set);
                        throw;
                    }
                    set.BusSubscribed = true;
                }
                set.Add(subscriber);
                metrics.SubscriptionAdded();
                return;
            }
            finally
            {
                set.Gate.Release();
            }
        }
    }

    /// <summary>Removes the subscriber; the last local subscriber of a key also drops the bus subscription.</summary>
    public async Task UnsubscribeAsync(ITopicSubscriber subscriber)
    {
        var key = subscriber.Key.Text;
        if (!sets.TryGetValue(key, out var set)) return;
        await set.Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (set.Removed || !set.Remove(subscriber)) return;
            metrics.SubscriptionRemoved();
            if (set.Members.Length > 0) return;
            Retire(set);
            try
            {
                await bus.UnsubscribeAsync(key, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                // The bus forgets the key locally first, so a failed UNSUBSCRIBE only leaves Redis sending
                // messages nobody here wants; it is dropped with the connection on the next reconnect.
                LogUnsubscribeFailed(logger, key, ex);
            }
        }
        finally
        {
            set.Gate.Release();
        }
    }

    public void OnMessage(in BusMessage message)
    {
        metrics.BusMessageReceived();
        if (!dispatcher.TryPost(message)) metrics.MessageDropped();
    }

    public void OnConnectionChanged(bool connected) => metrics.BusConnectionChanged(connected);

    public ValueTask DisposeAsync() => dispatcher.DisposeAsync();

    private void Retire(SubscriberSet set)
    {
        set.Removed = true;
        sets.TryRemove(new KeyValuePair<string, SubscriberSet>(set.Key, set));
    }

    private void Dispatch(BusMessage message)
    {
        if (!sets.TryGetValue(message.Key, out var set)) return;
        var members = set.Members;
        if (members.Length == 0) return;
        var pattern = message.Key == message.Topic ? null : message.Key;
        var frame = PublishedMessage.Create(message.Topic, pattern, message.Payload.Span, message.ReceivedTimestamp);
        foreach (var member in members) member.Deliver(frame);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Fan-out of a message failed")]
    private static partial void LogDispatchFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dropping the bus subscription for {Key} failed")]
    private static partial void LogUnsubscribeFailed(ILogger logger, string key, Exception exception);
}
