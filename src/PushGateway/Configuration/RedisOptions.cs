namespace PushGateway.Configuration;

/// <summary>Section "Redis". With no connection string the node runs alone on the in-process bus.</summary>
public sealed class RedisOptions
{
    public const string Section = "Redis";

    /// <summary>StackExchange.Redis configuration string, e.g. "127.0.0.1:6379". Empty: in-process bus.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Prepended to every topic to form the Redis channel, so several deployments can share one Redis.</summary>
    public string ChannelPrefix { get; set; } = "";

    /// <summary>
    /// How often a node proves its subscriptions deliver, by publishing to its own control channel
    /// through Redis (docs/operations.md, "Redis liveness"). While unproven, the node is not ready.
    /// </summary>
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a probe waits for Redis to answer and for the control message to come back.</summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(2);

    public bool IsConfigured => !string.IsNullOrWhiteSpace(ConnectionString);

    public IEnumerable<string> Validate()
    {
        if (ProbeInterval <= TimeSpan.Zero) yield return "Redis:ProbeInterval must be positive";
        if (ProbeTimeout <= TimeSpan.Zero) yield return "Redis:ProbeTimeout must be positive";
    }
}
