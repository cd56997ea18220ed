using Microsoft.Extensions.DependencyInjection;

namespace FeedSimulator.Hosting;

/// <summary>Registers the standalone simulator: the Redis sink, the publishing loop and the progress log.</summary>
internal static class FeedSimulatorServices
{
    public static IServiceCollection AddFeedPublishing(this IServiceCollection services, FeedOptions feeds, RedisSinkOptions redis)
    {
        services.AddSingleton(feeds);
        services.AddSingleton(redis);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<PublishCounters>();
        services.AddSingleton<RedisFeedSink>();
        services.AddHostedService<FeedPublisherService>();
        services.AddHostedService<ProgressReporter>();
        return services;
    }
}
