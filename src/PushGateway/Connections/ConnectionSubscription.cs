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
    // Per topic, the last message replayed from history, until the live stream has passed it.
    private Dictionary<string, (string Epoch, long Seq)>? replayed;

    public TopicPattern Key { get; } = key;

    /// <summary>A plain maxRate is throttled once per topic and rate by the router for all who asked; a deadband needs this subscription's own state.</summary>
    public double? SharedRate { get; } = options.Deadband is null ? options.MaxRate : null;

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
            // History and the live stream reach the node over different connections, so the live copy of a
            // replayed message may still be on its way after this point: it is dropped when it comes.
            foreach (var frame in recovered)
            {
                if (frame is PublishedMessage { Epoch: { } epoch } replay && recoveredUpTo.TryGetValue(replay.Topic, out var last))
                    (replayed ??= new(StringComparer.Ordinal))[replay.Topic] = (epoch, last);
            }
            var live = buffered ?? [];
            buffered = null;
            foreach (var message in live)
            {
                if (message.Seq > 0 && recoveredUpTo.TryGetValue(message.Topic, out var upTo) && message.Seq <= upTo) continue;
                if (WasReplayed(message)) continue;
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
            if (WasReplayed(message)) return;
            Offer(message);
        }
    }

    /// <summary>A late live copy of a replayed message; the first newer message (or one of another epoch) ends the check for its topic.</summary>
    private bool WasReplayed(PublishedMessage message)
    {
        if (replayed is null || message.Seq <= 0 || !replayed.TryGetValue(message.Topic, out var replay)) return false;
        if (message.Epoch == replay.Epoch && message.Seq <= replay.Seq) return true;
        replayed.Remove(message.Topic);
        if (replayed.Count == 0) replayed = null;
        return false;
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
        if (options.IsPlain || SharedRate is not null)
        {
            Forward(message);
            return;
        }
        throttles ??= new Dictionary<string, TopicThrottle>(StringComparer.Ordinal);
        if (!throttles.TryGetValue(message.Topic, out var throttle))
        {
            throttle = new TopicThrottle(Gate, Forward, CountConflated, options, time);
            throttles.Add(message.Topic, throttle);
        }
        throttle.Offer(message);
    }
}
