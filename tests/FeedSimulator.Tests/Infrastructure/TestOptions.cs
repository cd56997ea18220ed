namespace FeedSimulator.Tests.Infrastructure;

/// <summary>Options with a fixed start, so every test's output is the same on every run.</summary>
internal static class TestOptions
{
    public static readonly DateTimeOffset Start = new(2026, 1, 5, 0, 0, 0, TimeSpan.Zero);

    public static FeedOptions Create(Action<FeedOptions>? configure = null)
    {
        var options = new FeedOptions { StartTime = Start };
        configure?.Invoke(options);
        return options;
    }
}
