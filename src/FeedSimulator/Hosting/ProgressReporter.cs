using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FeedSimulator.Hosting;

/// <summary>Logs one line every few seconds: ticks Redis accepted since the last line, the rate, totals and failures.</summary>
internal sealed partial class ProgressReporter(PublishCounters counters, TimeProvider timeProvider, ILogger<ProgressReporter> logger)
    : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, timeProvider);
        var last = timeProvider.GetTimestamp();
        var lastPublished = counters.Published;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                var now = timeProvider.GetTimestamp();
                var published = counters.Published;
                var seconds = timeProvider.GetElapsedTime(last, now).TotalSeconds;
                var delta = published - lastPublished;
                LogProgress(logger, delta, seconds, delta / seconds, published, counters.Failed);
                last = now;
                lastPublished = published;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown; the publisher logs the final totals.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Published {Count} ticks in {Seconds:F1} s ({Rate:F0}/s); {Total} in total, {Failed} failed")]
    private static partial void LogProgress(ILogger logger, long count, double seconds, double rate, long total, long failed);
}
