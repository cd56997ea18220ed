using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Configuration;

namespace FeedSimulator.Hosting;

/// <summary>
/// Binds and validates the simulator's settings before anything starts, so every mistake is reported at once
/// with the key to fix. Unknown keys are errors: a misspelt option would otherwise be silently ignored.
/// </summary>
internal static class StartupConfiguration
{
    public const int InvalidConfigurationExitCode = 2;

    public static bool TryLoad(
        IConfiguration configuration,
        TextWriter error,
        [NotNullWhen(true)] out FeedOptions? feeds,
        [NotNullWhen(true)] out RedisSinkOptions? redis)
    {
        var errors = new List<string>();
        feeds = Bind<FeedOptions>(configuration, FeedOptions.Section, errors);
        redis = Bind<RedisSinkOptions>(configuration, RedisSinkOptions.Section, errors);
        if (feeds is not null) errors.AddRange(feeds.Validate().Select(e => $"{FeedOptions.Section}:{e}"));
        if (redis is not null) errors.AddRange(redis.Validate().Select(e => $"{RedisSinkOptions.Section}:{e}"));
        if (errors.Count == 0 && feeds is not null && redis is not null) return true;
        feeds = null;
        redis = null;

        error.WriteLine("FeedSimulator: invalid configuration:");
        foreach (var message in errors) error.WriteLine("  - " + message);
        error.WriteLine("Options are described in docs/feeds.md. Example:");
        error.WriteLine("  dotnet run --project src/FeedSimulator -- --Redis:ConnectionString=127.0.0.1:6379 --Feeds:FxTicksPerSecond=500");
        return false;
    }

    /// <summary>Null when a value cannot be converted. Unknown keys are reported, and the known ones still bound and validated.</summary>
    private static T? Bind<T>(IConfiguration configuration, string section, List<string> errors)
        where T : class, new()
    {
        var values = configuration.GetSection(section);
        var known = typeof(T).GetProperties().Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var unknown in values.GetChildren().Where(c => !known.Contains(c.Key)))
        {
            errors.Add($"{section}:{unknown.Key} is not a setting (misspelt?); the settings are: {string.Join(", ", known)}.");
        }
        try
        {
            return values.Get<T>() ?? new T();
        }
        catch (InvalidOperationException ex)
        {
            errors.Add(ex.InnerException is null ? ex.Message : $"{ex.Message} {ex.InnerException.Message}");
            return null;
        }
    }
}
