namespace FeedSimulator;

/// <summary>
/// Section "Feeds": what the simulator publishes and how fast. Shared by the standalone simulator and the
/// gateway's embedded feed, so every setting here means the same in both.
/// </summary>
public sealed class FeedOptions
{
    public const string Section = "Feeds";

    /// <summary>Seeds every model; the same seed and <see cref="StartTime"/> give byte-identical output.</summary>
    public int Seed { get; set; } = 42;

    /// <summary>Publish the FX feed (topics <c>fx.&lt;PAIR&gt;</c>).</summary>
    public bool Fx { get; set; } = true;

    /// <summary>Publish the air-quality feed (topics <c>smog.&lt;city&gt;.&lt;station&gt;</c>).</summary>
    public bool Smog { get; set; } = true;

    /// <summary>Long-run average FX ticks per real second, summed over all pairs. Bursts go above it, calm periods below.</summary>
    public double FxTicksPerSecond { get; set; } = 20;

    /// <summary>How much busier the market is during a burst than when calm; 1 turns bursts off.</summary>
    public double FxBurstMultiplier { get; set; } = 4;

    /// <summary>Mean length of a calm period between bursts (exponentially distributed).</summary>
    public TimeSpan FxMeanCalmDuration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Mean length of a burst (exponentially distributed).</summary>
    public TimeSpan FxMeanBurstDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Multiplies every currency's annual volatility: above 1 makes a demo move visibly, 1 is realistic.</summary>
    public double FxVolatilityScale { get; set; } = 1;

    /// <summary>Simulated time between two readings of one station.</summary>
    public TimeSpan SmogInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Simulated seconds per real second for the smog feed, so a demo shows the daily cycle move.</summary>
    public double TimeScale { get; set; } = 60;

    /// <summary>Chance, per sensor and reading, that a healthy sensor starts a fault (missing or stuck values).</summary>
    public double SmogFaultProbability { get; set; } = 0.0002;

    /// <summary>Simulated clock start for both feeds; null means the current time when the run starts.</summary>
    public DateTimeOffset? StartTime { get; set; }

    /// <summary>Stop after this much real time; null runs until cancelled.</summary>
    public TimeSpan? Duration { get; set; }

    /// <summary>Stop after publishing this many ticks; null runs until cancelled.</summary>
    public long? MaxTicks { get; set; }

    /// <summary>Every problem with these settings, one human-readable line each; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!Fx && !Smog) errors.Add("Fx and Smog are both false: nothing to publish; enable at least one feed.");
        RequireRange(errors, nameof(FxTicksPerSecond), FxTicksPerSecond, 0, 1_000_000, lowerInclusive: false);
        RequireRange(errors, nameof(FxBurstMultiplier), FxBurstMultiplier, 1, 100, lowerInclusive: true);
        RequirePositive(errors, nameof(FxMeanCalmDuration), FxMeanCalmDuration);
        RequirePositive(errors, nameof(FxMeanBurstDuration), FxMeanBurstDuration);
        RequireRange(errors, nameof(FxVolatilityScale), FxVolatilityScale, 0, 100, lowerInclusive: false);
        if (SmogInterval < TimeSpan.FromSeconds(1) || SmogInterval > TimeSpan.FromDays(1))
            errors.Add($"SmogInterval must be between 00:00:01 and 1.00:00:00 (was {SmogInterval}).");
        RequireRange(errors, nameof(TimeScale), TimeScale, 0, 10_000_000, lowerInclusive: false);
        // Past this a station would publish more than 1000 readings per real second: certainly a typo.
        if (Smog && TimeScale > 0 && SmogInterval > TimeSpan.Zero && SmogInterval.TotalSeconds / TimeScale < 0.001)
            errors.Add($"SmogInterval / TimeScale must be at least 1 ms of real time per reading (was {SmogInterval.TotalSeconds / TimeScale * 1000:G3} ms).");
        if (!(SmogFaultProbability >= 0 && SmogFaultProbability < 1))
            errors.Add($"SmogFaultProbability must be at least 0 and less than 1 (was {SmogFaultProbability}).");
        if (StartTime is { } start && (start.Year < 1900 || start.Year > 9000))
            errors.Add($"StartTime must be between the years 1900 and 9000 (was {start:O}).");
        if (Duration is { } duration && duration <= TimeSpan.Zero)
            errors.Add($"Duration must be positive when set (was {duration}).");
        if (MaxTicks is { } maxTicks && maxTicks <= 0)
            errors.Add($"MaxTicks must be positive when set (was {maxTicks}).");
        return errors;
    }

    internal FeedOptions Copy() => (FeedOptions)MemberwiseClone();

    private static void RequireRange(List<string> errors, string name, double value, double min, double max, bool lowerInclusive)
    {
        var aboveMin = lowerInclusive ? value >= min : value > min;
        if (aboveMin && value <= max) return;
        var lower = lowerInclusive ? $"at least {min}" : $"greater than {min}";
        errors.Add($"{name} must be {lower} and at most {max} (was {value}).");
    }

    private static void RequirePositive(List<string> errors, string name, TimeSpan value)
    {
        if (value <= TimeSpan.Zero) errors.Add($"{name} must be positive (was {value}).");
    }
}
