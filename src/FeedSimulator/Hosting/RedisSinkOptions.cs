using StackExchange.Redis;

namespace FeedSimulator.Hosting;

/// <summary>Section "Redis": where the standalone simulator publishes. Same keys as the gateway's, so one config serves both.</summary>
internal sealed class RedisSinkOptions
{
    public const string Section = "Redis";

    /// <summary>StackExchange.Redis configuration string, e.g. "127.0.0.1:6379". Required.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Prepended to every topic to form the channel; must match the gateway's.</summary>
    public string ChannelPrefix { get; set; } = "";

    /// <summary>Publish through the sequenced path (FCALL pushgw_publish: seq, epoch, history) rather than a plain PUBLISH.</summary>
    public bool Sequenced { get; set; } = true;

    /// <summary>Publishes sent but not yet answered; beyond this the feed waits for Redis instead of queueing without bound.</summary>
    public int MaxPendingPublishes { get; set; } = 10_000;

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            errors.Add("ConnectionString is required: the simulator publishes to Redis (e.g. --Redis:ConnectionString=127.0.0.1:6379).");
        }
        else
        {
            try
            {
                ConfigurationOptions.Parse(ConnectionString);
            }
            catch (ArgumentException ex)
            {
                errors.Add($"ConnectionString is not a valid StackExchange.Redis configuration string: {ex.Message}");
            }
        }
        if (ChannelPrefix.Any(char.IsWhiteSpace)) errors.Add($"ChannelPrefix must not contain whitespace (was '{ChannelPrefix}').");
        if (MaxPendingPublishes < 1) errors.Add($"MaxPendingPublishes must be at least 1 (was {MaxPendingPublishes}).");
        return errors;
    }
}
