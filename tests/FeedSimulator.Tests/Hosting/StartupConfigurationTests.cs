using FeedSimulator.Hosting;
using Microsoft.Extensions.Configuration;

namespace FeedSimulator.Tests.Hosting;

public class StartupConfigurationTests
{
    [Fact]
    public void Valid_settings_load_into_both_option_classes()
    {
        var ok = TryLoad(out var feeds, out var redis, out var error,
            ("Redis:ConnectionString", "127.0.0.1:6379"), ("Redis:ChannelPrefix", "demo."),
            ("Feeds:FxTicksPerSecond", "500"), ("Feeds:Duration", "00:01:00"), ("Feeds:MaxTicks", "1000"),
            ("Feeds:StartTime", "2026-11-21T10:00:00Z"));

        Assert.True(ok, error);
        Assert.Equal(500, feeds!.FxTicksPerSecond);
        Assert.Equal(TimeSpan.FromMinutes(1), feeds.Duration);
        Assert.Equal(1000, feeds.MaxTicks);
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.Zero), feeds.StartTime);
        Assert.Equal("demo.", redis!.ChannelPrefix);
    }

    [Fact]
    public void A_missing_connection_string_is_reported_with_an_example()
    {
        Assert.False(TryLoad(out _, out _, out var error));

        Assert.Contains("Redis:ConnectionString is required", error, StringComparison.Ordinal);
        Assert.Contains("--Redis:ConnectionString=127.0.0.1:6379", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_invalid_setting_is_reported_with_its_full_key()
    {
        Assert.False(TryLoad(out _, out _, out var error,
            ("Redis:ConnectionString", "127.0.0.1:6379"), ("Feeds:FxTicksPerSecond", "0"), ("Feeds:TimeScale", "-1")));

        Assert.Contains("Feeds:FxTicksPerSecond must be", error, StringComparison.Ordinal);
        Assert.Contains("Feeds:TimeScale must be", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_misspelt_key_is_an_error_rather_than_silently_ignored()
    {
        Assert.False(TryLoad(out _, out _, out var error,
            ("Redis:ConnectionString", "127.0.0.1:6379"), ("Feeds:FxTickPerSecond", "500")));

        Assert.Contains("FxTickPerSecond", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_value_of_the_wrong_type_is_reported()
    {
        Assert.False(TryLoad(out _, out _, out var error,
            ("Redis:ConnectionString", "127.0.0.1:6379"), ("Feeds:FxTicksPerSecond", "fast")));

        Assert.Contains("Feeds:FxTicksPerSecond", error, StringComparison.Ordinal);
    }

    private static bool TryLoad(out FeedOptions? feeds, out RedisSinkOptions? redis, out string error, params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build();
        var writer = new StringWriter();
        var ok = StartupConfiguration.TryLoad(configuration, writer, out feeds, out redis);
        error = writer.ToString();
        return ok;
    }
}
