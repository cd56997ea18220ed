namespace PushGateway.Configuration;

/// <summary>
/// Section "Staleness": how long a topic that used to tick may stay silent before its subscribers get a
/// {"type":"stale"} notice (a sensor that stopped reporting, a feed that froze). Keys are patterns.
/// </summary>
public sealed class StalenessOptions
{
    public const string Section = "Staleness";

    /// <summary>Pattern to silence that counts as stale, e.g. "fx.>": "00:00:30". Empty: no notices.</summary>
    public Dictionary<string, TimeSpan> After { get; set; } = new(StringComparer.Ordinal);

    /// <summary>How often silence is checked.</summary>
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromSeconds(1);

    public IEnumerable<string> Validate()
    {
        foreach (var (pattern, after) in After)
        {
            if (PushGateway.Topics.TopicName.Validate(pattern, allowWildcards: true) is { } why) yield return $"Staleness:After: '{pattern}': {why}";
            if (after <= TimeSpan.Zero) yield return $"Staleness:After: '{pattern}' must be positive";
        }
        if (CheckInterval <= TimeSpan.Zero) yield return "Staleness:CheckInterval must be positive";
    }
}
