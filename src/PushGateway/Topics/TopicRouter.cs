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
    private readonly IMessageHistory history;
    private readonly TopicCursors cursors = new();
    private readonly TopicPattern[] conflatable;
    private readonly int maxRecover;
    private readonly TimeProvider time;

    public TopicRouter(IMessageBus bus, IMessageHistory history, IOptions<GatewayOptions> options, IOptions<HistoryOptions> historyOptions,
        GatewayMetrics metrics, TimeProvider time, ILogger<TopicRouter> logger)
    {
        this.time = time;
        this.bus = bus;
        this.history = history;
        conflatable = options.Value.EffectiveConflatablePatterns.Select(TopicPattern.Parse).ToArray();
        maxRecover = historyOptions.Value.MaxRecover;
        this.metrics = metrics;
        this.logger = logger;
        var shards = options.Value.DispatchShards > 0 ? options.Value.DispatchShards : Environment.ProcessorCount;
        dispatcher = new MessageDispatcher(shards, options.Value.DispatchQueueCapacity, DispatchAsync, ex => LogDispatchFailed(logger, ex));
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
            var set = sets.GetOrAdd(key, k => new SubscriberSet(k, rate => new RateGroup(rate, time, (topic, ex) => LogDeliverFailed(logger, topic, ex))));
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
                        await ForgetFailedSubscribeAsync(key).ConfigureAwait(false);
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

    /// <summary>
    /// A bus may have recorded the key before its SUBSCRIBE failed; unless it forgets it, every later
    /// subscribe to the key would be refused as a duplicate.
    /// </summary>
    private async Task ForgetFailedSubscribeAsync(string key)
    {
        try
        {
            await bus.UnsubscribeAsync(key, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogUnsubscribeFailed(logger, key, ex);
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
            if (set.Count > 0) return;
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
        if (!dispatcher.TryPost(message, runInline: BusThread.MayRunInline && IsSmallFanOut(message.Key))) metrics.MessageDropped();
    }

    /// <summary>
    /// Subscribers (or rate groups) a bus thread may serve itself: about 10 us each, so at most ~2.5 ms
    /// during which it reads nothing more from Redis. Larger fan-outs go to a worker as before.
    /// </summary>
    internal const int InlineFanOutLimit = 256;

    private bool IsSmallFanOut(string key) =>
        sets.TryGetValue(key, out var set) && set.DirectCount + set.Groups.Length <= InlineFanOutLimit;

    public void OnConnectionChanged(bool connected)
    {
        metrics.BusConnectionChanged(connected);
        if (!connected) return;
        // Whatever was published while the bus was away never reached this node: check every topic it
        // routes against history, on the topic's own worker so order holds.
        foreach (var (key, topic, _, _) in cursors.Snapshot())
        {
            if (sets.ContainsKey(key)) PostCatchUp(key, topic, attempt: 0);
        }
    }

    /// <summary>
    /// A message with a negative seq carries no payload but asks the topic's worker to catch up from
    /// history; -seq - 1 is how many catch-ups of this topic failed before it.
    /// </summary>
    private void PostCatchUp(string key, string topic, int attempt) =>
        dispatcher.TryPost(new BusMessage(topic, key, ReadOnlyMemory<byte>.Empty, 0, Seq: -1 - attempt));

    /// <summary>A history read that fails right after a reconnect is retried this many times before the subscribers hear of a gap.</summary>
    internal const int CatchUpAttempts = 5;

    public ValueTask DisposeAsync() => dispatcher.DisposeAsync();

    private void Retire(SubscriberSet set)
    {
        set.Removed = true;
        set.DisposeGroups();
        sets.TryRemove(new KeyValuePair<string, SubscriberSet>(set.Key, set));
        cursors.Forget(set.Key);
    }

    private async ValueTask DispatchAsync(BusMessage message)
    {
        if (!sets.TryGetValue(message.Key, out var set) || set.Count == 0) return;
        if (message.Seq < 0)
        {
            await CatchUpAsync(message.Key, message.Topic, set, attempt: (int)(-1 - message.Seq)).ConfigureAwait(false);
            return;
        }
        cursors.Touch(message.Key, message.Topic, message.ReceivedTimestamp);
        if (message.Seq > 0)
        {
            switch (cursors.Advance(message, out var missedFrom))
            {
                case TopicCursors.Verdict.Duplicate:
                    return;
                case TopicCursors.Verdict.Gap:
                    await RepairAsync(message, set, missedFrom).ConfigureAwait(false);
                    break;
                case TopicCursors.Verdict.NewEpoch:
                    Notify(set, message.Topic, "epoch_changed", message.Seq, message.Epoch);
                    break;
            }
        }
        Fan(set, message.Topic, message.Payload.Span, message.ReceivedTimestamp, message.Seq, message.Epoch, message.PublishedAtMs);
    }

    private void Fan(SubscriberSet set, string topic, ReadOnlySpan<byte> payload, long receivedTimestamp, long seq, string? epoch, long publishedAtMs)
    {
        var pattern = set.Key == topic ? null : set.Key;
        var frame = PublishedMessage.Create(topic, pattern, payload, receivedTimestamp, seq, epoch, publishedAtMs);
        frame.Conflatable = IsConflatable(topic);
        foreach (var member in set.Direct)
        {
            if (member is null) continue;
            try
            {
                member.Deliver(frame);
            }
            catch (Exception ex)
            {
                // One subscriber's failure must not cost the others this message.
                LogDeliverFailed(logger, topic, ex);
            }
        }
        foreach (var group in set.Groups) group.Offer(frame);
    }

    private bool IsConflatable(string topic)
    {
        foreach (var pattern in conflatable)
        {
            if (pattern.Matches(topic)) return true;
        }
        return false;
    }

    /// <summary>The live stream jumped: fetch the missing messages from history, or tell the subscribers what they lost.</summary>
    private async Task RepairAsync(BusMessage message, SubscriberSet set, long missedFrom)
    {
        var missing = message.Seq - missedFrom;
        metrics.GapDetected();
        try
        {
            var read = await history.ReadAfterAsync(message.Topic, missedFrom - 1, (int)Math.Min(missing, maxRecover), CancellationToken.None).ConfigureAwait(false);
            var complete = read.Epoch == message.Epoch && read.Entries.Count == missing && read.Entries[0].Seq == missedFrom;
            if (complete)
            {
                foreach (var entry in read.Entries)
                    Fan(set, message.Topic, entry.Payload.Span, message.ReceivedTimestamp, entry.Seq, message.Epoch, entry.PublishedAtMs);
                metrics.GapRepaired();
                return;
            }
        }
        catch (Exception ex)
        {
            LogRepairFailed(logger, message.Topic, ex);
        }
        Notify(set, message.Topic, "node_missed", missedFrom - 1, message.Epoch);
    }

    /// <summary>After a bus reconnect: route whatever history holds beyond the node's position, or report the hole.</summary>
    private async Task CatchUpAsync(string key, string topic, SubscriberSet set, int attempt)
    {
        var position = cursors.Snapshot().FirstOrDefault(c => c.Key == key && c.Topic == topic);
        if (position.Epoch is null) return;
        try
        {
            var read = await history.ReadAfterAsync(topic, position.Seq, maxRecover + 1, CancellationToken.None).ConfigureAwait(false);
            if (read.Epoch == position.Epoch && read.LastSeq == position.Seq) return;
            var complete = read.Epoch == position.Epoch && read.LastSeq - position.Seq <= maxRecover
                && read.Entries.Count > 0 && read.Entries[0].Seq == position.Seq + 1;
            if (complete)
            {
                foreach (var entry in read.Entries)
                {
                    var replay = new BusMessage(topic, key, entry.Payload, System.Diagnostics.Stopwatch.GetTimestamp(), entry.Seq, read.Epoch, entry.PublishedAtMs);
                    if (cursors.Advance(replay, out _) == TopicCursors.Verdict.InOrder)
                        Fan(set, topic, entry.Payload.Span, replay.ReceivedTimestamp, entry.Seq, read.Epoch, entry.PublishedAtMs);
                }
                metrics.GapRepaired();
                return;
            }
            Notify(set, topic, read.Epoch == position.Epoch ? "node_missed" : "epoch_changed", read.LastSeq, read.Epoch);
        }
        catch (Exception ex)
        {
            LogRepairFailed(logger, topic, ex);
            // A gap notice tells clients to reload, so it is sent only once history has stayed unreadable
            // for a while. While the bus is down there is nothing to decide yet: when it is proven live
            // again, OnConnectionChanged starts a new catch-up from the same position.
            if (!bus.IsConnected) return;
            if (attempt + 1 < CatchUpAttempts) _ = RetryCatchUpAsync(key, topic, attempt + 1);
            else Notify(set, topic, "node_missed", position.Seq, position.Epoch);
        }
    }

    private async Task RetryCatchUpAsync(string key, string topic, int attempt)
    {
        try
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250 << Math.Min(attempt, 4)), time).ConfigureAwait(false);
            if (sets.ContainsKey(key)) PostCatchUp(key, topic, attempt);
        }
        catch (Exception ex)
        {
            LogDispatchFailed(logger, ex);
        }
    }

    /// <summary>Sends {"type":"stale"} once for each topic silent past its threshold; its next message is the all-clear.</summary>
    internal void NotifyStale(Func<string, long?> staleAfterTicks, long now)
    {
        foreach (var (key, topic, lastSeen) in cursors.TakeNewlyStale(staleAfterTicks, now))
        {
            if (!sets.TryGetValue(key, out var set)) continue;
            var lastMessageAt = DateTimeOffset.UtcNow - System.Diagnostics.Stopwatch.GetElapsedTime(lastSeen);
            set.ForEachMember(member => member.Notify(ReplyFrame.Build(w =>
            {
                w.WriteString("type"u8, "stale"u8);
                w.WriteString("topic"u8, topic);
                if (member.Key.IsPattern) w.WriteString("pattern"u8, member.Key.Text);
                w.WriteNumber("lastMessageAt"u8, lastMessageAt.ToUnixTimeMilliseconds());
            })));
        }
    }

    private static void Notify(SubscriberSet set, string topic, string reason, long seq, string? epoch)
    {
        set.ForEachMember(member => member.Notify(GapNotice.Create(topic, member.Key, reason, seq, epoch)));
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Fan-out of a message failed")]
    private static partial void LogDispatchFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Delivering a message on {Topic} to one subscriber failed")]
    private static partial void LogDeliverFailed(ILogger logger, string topic, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Repairing a gap on {Topic} from history failed")]
    private static partial void LogRepairFailed(ILogger logger, string topic, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dropping the bus subscription for {Key} failed")]
    private static partial void LogUnsubscribeFailed(ILogger logger, string key, Exception exception);
}
