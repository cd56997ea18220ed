using LoadGen.Measurement;

namespace LoadGen.Publishing;

/// <summary>
/// Publishes on one <see cref="RespPublishConnection"/>: every message due at a scheduling tick goes
/// out in one write of pipelined PUBLISH commands, with a bounded number unanswered (the bound only
/// matters when Redis cannot keep up, and then the lag shows as latency). Subclasses say what goes
/// on which channel.
/// </summary>
public abstract class RedisPublisher : IPublisher
{
    private readonly RespPublishConnection _redis;
    private readonly int _maxInFlight;

    protected RedisPublisher(string redis, int maxInFlight)
    {
        _redis = RespPublishConnection.Connect(redis);
        _maxInFlight = maxInFlight;
    }

    /// <summary>The channel's name in UTF-8.</summary>
    protected abstract byte[] ChannelFor(int topic);

    protected abstract byte[] Payload(int topic, long seq, long scheduledMicros);

    public Task<PublishResult> PublishAsync(IReadOnlyList<Phase> phases, long startMicros, CancellationToken ct) =>
        Task.Factory.StartNew(() => Run(phases, startMicros, ct), ct, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    // At most 4,000 wake-ups a second: above 4,000 msg/s messages leave in batches a quarter of a millisecond apart.
    private const long MinTickMicros = 250;

    private PublishResult Run(IReadOnlyList<Phase> phases, long startMicros, CancellationToken ct)
    {
        PreciseSleep.TightenThisThread();
        long published = 0, maxLag = 0;
        var errorsBefore = _redis.Errors;
        var noReceiversBefore = _redis.NoReceivers;
        var phaseStart = startMicros;
        var perPhase = new List<long>();
        var lagPerPhase = new List<LatencySummary>();
        foreach (var phase in phases)
        {
            var publishedBefore = published;
            var lag = new LatencyHistogram();
            for (long k = 0; k < phase.Count && !ct.IsCancellationRequested;)
            {
                var now = WallClock.NowMicros;
                // One definition of a message's time serves the payload, the due test and the sleep: computed
                // two ways, a rounding difference would find a message not yet due at the time it was woken for.
                var scheduled = phaseStart + (long)(k * 1e6 / phase.Rate);
                if (scheduled > now)
                {
                    // Sleeping (not spinning) leaves the cores to the servers under test: until the next
                    // message is due, but at least MinTickMicros, so fast phases go out in small batches.
                    // A message is late by the wake-up's own delay, and that lateness is part of its latency.
                    PreciseSleep.Until(Math.Max(scheduled, now + MinTickMicros));
                    continue;
                }
                // Every message whose scheduled time has come goes out in this tick.
                for (; k < phase.Count && (scheduled = phaseStart + (long)(k * 1e6 / phase.Rate)) <= now; k++)
                {
                    if (_redis.Pending >= _maxInFlight)
                    {
                        _redis.Flush();
                        _redis.WaitForReplies(_maxInFlight - 1, TimeSpan.FromSeconds(30));
                    }
                    var index = phase.FirstIndex + k;
                    var topic = (int)(index % Topics);
                    _redis.Append(ChannelFor(topic), Payload(topic, index / Topics, scheduled));
                    maxLag = Math.Max(maxLag, now - scheduled);
                    lag.Record(now - scheduled);
                    published++;
                }
                _redis.Flush();
                // The replies of the ticks before this one are in by now: counting them costs one recv().
                _redis.ReadAvailable();
            }
            perPhase.Add(published - publishedBefore);
            lagPerPhase.Add(lag.Summarize());
            phaseStart += (long)(phase.Seconds * 1e6);
            // A quiet phase (rate 0) still takes its time, so a group of phases keeps its schedule.
            if (phase.Count == 0) SleepUntil(phaseStart, ct);
        }
        _redis.WaitForReplies(0, TimeSpan.FromSeconds(30));
        return new PublishResult
        {
            Published = published,
            PublishedPerPhase = perPhase,
            Errors = _redis.Errors - errorsBefore + _redis.Pending,
            NoReceivers = _redis.NoReceivers - noReceiversBefore,
            MaxLagMs = maxLag / 1000.0,
            LagPerPhase = lagPerPhase,
        };
    }

    protected int Topics { get; init; }

    private static void SleepUntil(long micros, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var left = micros - WallClock.NowMicros;
            if (left <= 0) return;
            Thread.Sleep((int)Math.Min(50, Math.Max(1, left / 1000)));
        }
    }

    public ValueTask DisposeAsync()
    {
        _redis.Dispose();
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }
}
