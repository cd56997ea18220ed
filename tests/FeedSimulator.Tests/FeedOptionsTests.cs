namespace FeedSimulator.Tests;

public class FeedOptionsTests
{
    public static TheoryData<string, Action<FeedOptions>> InvalidSettings => new()
    {
        { "FxTicksPerSecond", o => o.FxTicksPerSecond = 0 },
        { "FxTicksPerSecond", o => o.FxTicksPerSecond = double.NaN },
        { "FxTicksPerSecond", o => o.FxTicksPerSecond = 2_000_000 },
        { "FxBurstMultiplier", o => o.FxBurstMultiplier = 0.5 },
        { "FxMeanCalmDuration", o => o.FxMeanCalmDuration = TimeSpan.Zero },
        { "FxMeanBurstDuration", o => o.FxMeanBurstDuration = TimeSpan.FromSeconds(-1) },
        { "FxVolatilityScale", o => o.FxVolatilityScale = 0 },
        { "SmogInterval", o => o.SmogInterval = TimeSpan.Zero },
        { "SmogInterval", o => o.SmogInterval = TimeSpan.FromDays(2) },
        { "TimeScale", o => o.TimeScale = -1 },
        { "SmogInterval / TimeScale", o => o.TimeScale = 1_000_000 },
        { "SmogFaultProbability", o => o.SmogFaultProbability = 1 },
        { "StartTime", o => o.StartTime = new DateTimeOffset(9500, 1, 1, 0, 0, 0, TimeSpan.Zero) },
        { "Duration", o => o.Duration = TimeSpan.Zero },
        { "MaxTicks", o => o.MaxTicks = 0 },
        { "Fx and Smog", o => (o.Fx, o.Smog) = (false, false) },
    };

    [Fact]
    public void Defaults_are_valid_and_match_the_documented_values()
    {
        var options = new FeedOptions();

        Assert.Empty(options.Validate());
        Assert.Equal(42, options.Seed);
        Assert.True(options.Fx);
        Assert.True(options.Smog);
        Assert.Equal(20, options.FxTicksPerSecond);
        Assert.Equal(TimeSpan.FromMinutes(1), options.SmogInterval);
        Assert.Equal(60, options.TimeScale);
        Assert.Null(options.StartTime);
        Assert.Null(options.Duration);
        Assert.Null(options.MaxTicks);
    }

    [Theory]
    [MemberData(nameof(InvalidSettings))]
    public void Each_invalid_setting_gets_one_message_naming_it(string setting, Action<FeedOptions> breakIt)
    {
        var options = new FeedOptions();
        breakIt(options);

        var error = Assert.Single(options.Validate());
        Assert.StartsWith(setting, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var options = new FeedOptions { FxTicksPerSecond = -5, TimeScale = 0, MaxTicks = -1 };

        var errors = options.Validate();

        Assert.Equal(3, errors.Count);
        Assert.Contains(errors, e => e.Contains("(was -5)", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_test_rates_are_allowed()
    {
        Assert.Empty(new FeedOptions { FxTicksPerSecond = 50_000, TimeScale = 3600 }.Validate());
    }

    [Fact]
    public void The_engine_refuses_invalid_options_with_every_message()
    {
        var options = new FeedOptions { FxTicksPerSecond = 0, SmogInterval = TimeSpan.Zero };

        var error = Assert.Throws<ArgumentException>(() => new FeedEngine(options, TimeProvider.System));

        Assert.Contains("FxTicksPerSecond", error.Message, StringComparison.Ordinal);
        Assert.Contains("SmogInterval", error.Message, StringComparison.Ordinal);
    }
}
