using FeedSimulator.Fx;
using FeedSimulator.Smog;

namespace FeedSimulator;

/// <summary>
/// Generates the simulated feeds and publishes them in real time. The content depends only on the options
/// (seed and start time); the <see cref="TimeProvider"/> decides only when each tick is sent, so a run and
/// <see cref="Generate(int, DateTimeOffset)"/> with the same start produce the same bytes in the same order.
/// </summary>
public sealed class FeedEngine
{
    /// <summary>Shorter waits are skipped: timers are not that precise, and a tick a millisecond early is harmless.</summary>
    private static readonly TimeSpan MinimumWait = TimeSpan.FromMilliseconds(1);

    /// <summary>Timers reject very long delays, and a slow smog-only feed can be days between ticks.</summary>
    private static readonly TimeSpan MaximumWait = TimeSpan.FromDays(1);

    private readonly FeedOptions options;
    private readonly TimeProvider timeProvider;

    /// <exception cref="ArgumentException">The options are invalid; the message lists every problem.</exception>
    public FeedEngine(FeedOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        var errors = options.Validate();
        if (errors.Count > 0) throw new ArgumentException("Invalid feed options: " + string.Join(" ", errors), nameof(options));
        // A copy, so options changed after construction cannot change a run halfway.
        this.options = options.Copy();
        this.timeProvider = timeProvider;
        Topics = [
            .. this.options.Fx ? FxCatalog.Pairs.Select(p => p.Topic) : [],
            .. this.options.Smog ? SmogCatalog.Stations.Select(s => s.Topic) : [],
        ];
    }

    /// <summary>Every topic this engine publishes on, FX first.</summary>
    public IReadOnlyList<string> Topics { get; }

    /// <summary>
    /// Publishes ticks as they fall due until cancelled, <see cref="FeedOptions.Duration"/> has passed or
    /// <see cref="FeedOptions.MaxTicks"/> are published. Cancellation ends it normally, without an exception.
    /// Publishes are awaited one at a time, in order; when the sink falls behind, ticks go out late, none are skipped.
    /// </summary>
    public async Task RunAsync(IFeedSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sink);
        var started = timeProvider.GetTimestamp();
        var schedule = new FeedSchedule(options, options.StartTime ?? timeProvider.GetUtcNow());
        var duration = options.Duration ?? TimeSpan.MaxValue;
        var maxTicks = options.MaxTicks ?? long.MaxValue;
        try
        {
            for (long published = 0; published < maxTicks; published++)
            {
                if (cancellationToken.IsCancellationRequested) return;
                var next = schedule.Next();
                if (next.Due >= duration)
                {
                    await WaitUntilAsync(started, duration, cancellationToken).ConfigureAwait(false);
                    return;
                }
                await WaitUntilAsync(started, next.Due, cancellationToken).ConfigureAwait(false);
                if (timeProvider.GetElapsedTime(started) >= duration) return;
                await sink.PublishAsync(next.Tick.Topic, next.Tick.Payload, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Cancellation is how a run normally ends.
        }
    }

    /// <summary>The first <paramref name="count"/> ticks a run would publish, without waiting; starts at <see cref="FeedOptions.StartTime"/> or now.</summary>
    public IEnumerable<FeedTick> Generate(int count) => Generate(count, options.StartTime ?? timeProvider.GetUtcNow());

    /// <summary>The first <paramref name="count"/> ticks of a run starting at <paramref name="start"/>: deterministic, no clock involved.</summary>
    public IEnumerable<FeedTick> Generate(int count, DateTimeOffset start)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return GenerateCore(count, new FeedSchedule(options, start));
    }

    private static IEnumerable<FeedTick> GenerateCore(int count, FeedSchedule schedule)
    {
        for (var i = 0; i < count; i++) yield return schedule.Next().Tick;
    }

    private async Task WaitUntilAsync(long started, TimeSpan due, CancellationToken cancellationToken)
    {
        for (var wait = due - timeProvider.GetElapsedTime(started); wait >= MinimumWait; wait = due - timeProvider.GetElapsedTime(started))
        {
            await Task.Delay(wait < MaximumWait ? wait : MaximumWait, timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }
}
