using System.Collections.Concurrent;
using System.Diagnostics;
using PushGateway.Configuration;
using PushGateway.Topics;

namespace PushGateway.Bus;

/// <summary>
/// The embedded default: one node, no Redis. Same semantics as <see cref="RedisBus"/>, history
/// included: every publish is sequenced, and the epoch is this process's lifetime.
/// </summary>
public sealed class InProcessBus(HistoryOptions? options = null, TimeProvider? timeProvider = null) : IMessageBus, IMessageHistory
{
    private readonly ConcurrentDictionary<string, byte> topics = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TopicPattern> patterns = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TopicLog> logs = new(StringComparer.Ordinal);
    private readonly HistoryOptions history = options ?? new HistoryOptions();
    private readonly TimeProvider time = timeProvider ?? TimeProvider.System;
    private IBusListener? listener;

    /// <summary>Changes with every process start, so clients resuming across a restart learn their positions are void.</summary>
    public string Epoch { get; } = Convert.ToHexString(Guid.NewGuid().ToByteArray().AsSpan(0, 6)).ToLowerInvariant();

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
        // The publisher may reuse its buffer once this returns; subscribers and the history read the copy later.
        var copy = payload.ToArray();
        var log = logs.GetOrAdd(topic, static _ => new TopicLog());
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        // Sequencing and hand-off under one lock keep each topic's deliveries in sequence order.
        lock (log)
        {
            var entry = new HistoryEntry(++log.LastSeq, now, copy);
            log.Entries.Enqueue(entry);
            while (log.Entries.Count > history.MaxEntries) log.Entries.Dequeue();
            if (history.MaxAge > TimeSpan.Zero)
            {
                var oldest = now - (long)history.MaxAge.TotalMilliseconds;
                while (log.Entries.Count > 1 && log.Entries.Peek().PublishedAtMs < oldest) log.Entries.Dequeue();
            }
            Deliver(topic, entry);
        }
        return Task.CompletedTask;
    }

    public Task<HistoryRead> ReadAfterAsync(string topic, long afterSeq, int limit, CancellationToken cancellationToken)
    {
        if (!logs.TryGetValue(topic, out var log)) return Task.FromResult(HistoryRead.None);
        lock (log)
        {
            var entries = log.Entries.Where(e => e.Seq > afterSeq).Take(limit).ToList();
            return Task.FromResult(new HistoryRead(Epoch, log.LastSeq, entries));
        }
    }

    public Task<HistoryRead> LatestAsync(string topic, CancellationToken cancellationToken)
    {
        if (!logs.TryGetValue(topic, out var log)) return Task.FromResult(HistoryRead.None);
        lock (log)
        {
            return Task.FromResult(new HistoryRead(Epoch, log.LastSeq, log.Entries.Count == 0 ? [] : [log.Entries.Last()]));
        }
    }

    public Task<IReadOnlyList<string>> TopicsAsync(TopicPattern pattern, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>>(logs.Keys.Where(t => pattern.Matches(t)).Order(StringComparer.Ordinal).ToList());

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private void Deliver(string topic, HistoryEntry entry)
    {
        var target = listener;
        if (target is null) return;
        var now = Stopwatch.GetTimestamp();
        if (topics.ContainsKey(topic)) target.OnMessage(new BusMessage(topic, topic, entry.Payload, now, entry.Seq, Epoch, entry.PublishedAtMs));
        foreach (var (key, pattern) in patterns)
        {
            if (pattern.Matches(topic)) target.OnMessage(new BusMessage(topic, key, entry.Payload, now, entry.Seq, Epoch, entry.PublishedAtMs));
        }
    }

    private sealed class TopicLog
    {
        public long LastSeq;
        public readonly Queue<HistoryEntry> Entries = new();
    }
}
