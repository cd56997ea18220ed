using PushGateway.Protocol;
using PushGateway.Topics;

namespace PushGateway.Connections;

/// <summary>
/// One topic or pattern a connection subscribed to: the router's handle into that connection's queue.
/// While a snapshot or history is being read it buffers live messages, then releases them after
/// the recovered ones without duplicates, so the client sees no gap and no repeat.
/// </summary>
internal sealed class ConnectionSubscription(IDeliveryTarget connection, TopicPattern key, DeliveryOptions options, TimeProvider time)
    : ITopicSubscriber, IDisposable
{
    private List<PublishedMessage>? buffered;
    private Dictionary<string, TopicThrottle>? throttles;
    private HashSet<string>? gapped;

    public TopicPattern Key { get; } = key;

    /// <summary>Serialises delivery for this subscription: fan-out of different topics runs on different threads.</summary>
    public object Gate { get; } = new();

    public void BeginRecovery()
    {
        lock (Gate) buffered = [];
    }

    /// <summary>
    /// Queues the recovered frames, then the live messages that arrived meanwhile and are newer than
    /// what was recovered for their topic, then switches to live delivery — all under the gate.
    /// </summary>
    public void EndRecovery(IReadOnlyList<OutboundFrame> recovered, IReadOnlyDictionary<string, long> recoveredUpTo)
    {
        lock (Gate)
        {
            foreach (var frame in recovered) connection.Enqueue(frame);
            var live = buffered ?? [];
            buffered = null;
            foreach (var message in live)
            {
                if (message.Seq > 0 && recoveredUpTo.TryGetValue(message.Topic, out var upTo) && message.Seq <= upTo) continue;
                Offer(message);
            }
        }
    }

    public void Deliver(PublishedMessage message)
    {
        lock (Gate)
        {
            if (buffered is not null)
            {
                buffered.Add(message);
                return;
            }
            Offer(message);
        }
    }

    public void Notify(OutboundFrame notice)
    {
        lock (Gate) connection.Enqueue(notice);
    }

    /// <summary>Called under <see cref="Gate"/> by the throttles.</summary>
    public void Forward(PublishedMessage message)
    {
        if (gapped is { Count: > 0 }) gapped.Remove(message.Topic);
        connection.Enqueue(message, this);
    }

    /// <summary>True the first time a topic loses a message since its last delivery: one gap notice per hole, not per message.</summary>
    public bool MarkGap(string topic) => (gapped ??= new HashSet<string>(StringComparer.Ordinal)).Add(topic);

    public void CountConflated() => connection.CountConflated();

    public void Dispose()
    {
        lock (Gate)
        {
            if (throttles is null) return;
            foreach (var throttle in throttles.Values) throttle.Dispose();
            throttles = null;
        }
    }

    private void Offer(PublishedMessage message)
    {
        if (options.IsPlain)
        {
            Forward(message);
            return;
        }
        throttles ??= new Dictionary<string, TopicThrottle>(StringComparer.Ordinal);
        if (!throttles.TryGetValue(message.Topic, out var throttle))
        {
            throttle = new TopicThrottle(this, options, time);
            throttles.Add(message.Topic, throttle);
        }
        throttle.Offer(message);
    }
}
