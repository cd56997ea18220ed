using Microsoft.Extensions.Logging;

namespace FeedSimulator.Hosting;

internal sealed partial class RedisFeedSink
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Connected to Redis at {Endpoint}")]
    private static partial void LogConnected(ILogger logger, string endpoint);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis at {Endpoint} is not reachable yet; retrying in the background, publishes fail until it is")]
    private static partial void LogUnavailable(ILogger logger, string endpoint);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis connection to {Endpoint} failed: {FailureType}")]
    private static partial void LogConnectionFailed(ILogger logger, string? endpoint, string failureType);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redis connection to {Endpoint} restored")]
    private static partial void LogConnectionRestored(ILogger logger, string? endpoint);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing to Redis is failing; counting failures until it recovers")]
    private static partial void LogPublishFailing(ILogger logger, Exception? exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Publishing to Redis recovered")]
    private static partial void LogPublishRecovered(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Loading the pushgw function library into Redis failed; sequenced publishes fail until it loads")]
    private static partial void LogFunctionLoadFailed(ILogger logger, Exception exception);
}
