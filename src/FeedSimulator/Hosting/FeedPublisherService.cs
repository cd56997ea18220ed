using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FeedSimulator.Hosting;

/// <summary>
/// Runs the feed engine into Redis for the life of the process. When the run ends by itself
/// (<see cref="FeedOptions.Duration"/> or <see cref="FeedOptions.MaxTicks"/>) it stops the application.
/// </summary>
internal sealed partial class FeedPublisherService(
    FeedOptions options,
    RedisFeedSink sink,
    PublishCounters counters,
    TimeProvider timeProvider,
    IHostApplicationLifetime lifetime,
    ILogger<FeedPublisherService> logger) : BackgroundService
{
    /// <summary>How long to wait at the end for Redis to answer publishes already sent.</summary>
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var engine = new FeedEngine(options, timeProvider);
            await sink.ConnectAsync().ConfigureAwait(false);
            LogStarting(logger, engine.Topics.Count, options.Fx ? options.FxTicksPerSecond : 0, options.Smog ? options.TimeScale : 0, options.Seed);
            await engine.RunAsync(sink, stoppingToken).ConfigureAwait(false);
            if (!stoppingToken.IsCancellationRequested) LogRunComplete(logger);
            if (!await sink.DrainAsync(DrainTimeout).ConfigureAwait(false)) LogDrainTimedOut(logger, DrainTimeout.TotalSeconds);
            LogStopped(logger, counters.Published, counters.Failed);
        }
        catch (Exception ex)
        {
            LogFailed(logger, ex);
            Environment.ExitCode = 1;
        }
        finally
        {
            lifetime.StopApplication();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Publishing {Topics} topics: FX {FxRate} ticks/s, smog at {TimeScale}x time, seed {Seed}. Ctrl-C to stop")]
    private static partial void LogStarting(ILogger logger, int topics, double fxRate, double timeScale, int seed);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run complete (Duration or MaxTicks reached)")]
    private static partial void LogRunComplete(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis did not answer every publish within {Seconds} s of stopping")]
    private static partial void LogDrainTimedOut(ILogger logger, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopped: {Published} ticks published, {Failed} failed")]
    private static partial void LogStopped(ILogger logger, long published, long failed);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Feed simulator failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
